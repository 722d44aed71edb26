package io.joulegov.cli;

import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user opening a plot would find: a PNG that decodes, an SVG that is well-formed XML, both of a size to read. */
final class ChartFilesCheck {

    private ChartFilesCheck() {
    }

    /** {@code dir/name.png} and {@code dir/name.svg}; returns the SVG's text. */
    static String pngAndSvg(Path dir, String name) throws Exception {
        BufferedImage png = ImageIO.read(dir.resolve(name + ".png").toFile());
        assertNotNull(png, name + ".png is a PNG");
        assertTrue(png.getWidth() >= 800 && png.getHeight() >= 500, name + ".png is " + png.getWidth() + "x" + png.getHeight());
        Path svg = dir.resolve(name + ".svg");
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // never fetch the DTD
        Document doc = xml.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getNodeName(), name + ".svg");
        return Files.readString(svg);
    }

    /** The label the Pareto plot puts beside the chosen point, from {@code recommend --json}'s figures. */
    static String chosenLabel(long cpuKHz, long gpuHz, double latencyMs, double energyJ) {
        return String.format(Locale.ROOT, "chosen: CPU %.0f MHz, GPU %.0f MHz: %.1f ms, %.1f mJ", cpuKHz / 1e3, gpuHz / 1e6,
                latencyMs, energyJ * 1e3);
    }
}
