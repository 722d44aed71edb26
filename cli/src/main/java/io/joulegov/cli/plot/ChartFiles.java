package io.joulegov.cli.plot;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A chart written twice, as {@code NAME.png} (to look at, and to embed in a page) and {@code NAME.svg} (to zoom, print
 * or search: its labels are text). JFreeChart draws both; VectorGraphics2D turns the drawing into SVG.
 */
public final class ChartFiles {

    private ChartFiles() {
    }

    /** Writes {@code chart} at {@code width} x {@code height} pixels; returns the PNG, then the SVG. */
    public static List<Path> write(JFreeChart chart, Path dir, String name, int width, int height) {
        System.setProperty("java.awt.headless", "true");
        Path png = dir.resolve(name + ".png");
        Path svg = dir.resolve(name + ".svg");
        try {
            Files.createDirectories(dir);
            ChartUtils.saveChartAsPNG(png.toFile(), chart, width, height);
            VectorGraphics2D g = new VectorGraphics2D();
            chart.draw(g, new Rectangle2D.Double(0, 0, width, height));
            try (OutputStream out = Files.newOutputStream(svg)) {
                new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width, height)).writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + name + " into " + dir, e);
        }
        return List.of(png, svg);
    }
}
