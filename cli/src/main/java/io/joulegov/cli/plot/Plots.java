package io.joulegov.cli.plot;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Selector;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * PNG plots of a profile, drawn with Java 2D (headless): heatmaps of energy and latency over the CPU x GPU grid (one
 * pair per EMC rate when the memory clock is an axis) and the energy-latency Pareto plot.
 */
public final class Plots {

    private static final int CELL_W = 54;
    private static final int CELL_H = 30;
    private static final int LEFT = 90;
    private static final int TOP = 62;
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Plots() {
    }

    /**
     * Writes every plot into {@code dir}; returns the files written. Rows are CPU clocks and columns GPU clocks,
     * one pair of heatmaps per EMC rate; a profile with one CPU clock and several EMC rates (a GPU x memory grid)
     * gets one pair with EMC rates as rows.
     */
    public static List<Path> write(ProfileTable table, Percentile q, Path dir) {
        System.setProperty("java.awt.headless", "true");
        List<Path> files = new ArrayList<>();
        boolean emcRows = table.rows().stream().map(m -> m.point().cpuKHz()).distinct().count() == 1
                && table.rows().stream().map(m -> m.point().emcHz()).distinct().count() > 1;
        Map<Long, List<Measurement>> groups = new TreeMap<>();
        for (Measurement m : table.rows()) {
            long group = emcRows || m.point().emcHz() == null ? -1L : m.point().emcHz();
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(m);
        }
        String subject = table.key().model() + " on " + table.key().board();
        try {
            Files.createDirectories(dir);
            for (Map.Entry<Long, List<Measurement>> e : groups.entrySet()) {
                String suffix = e.getKey() < 0 ? "" : "-emc" + e.getKey() / 1_000_000;
                String title = subject + (e.getKey() < 0 ? "" : String.format(", EMC %d MHz", e.getKey() / 1_000_000));
                files.add(save(heatmap(e.getValue(), emcRows, Measurement::energyJ, 1e3, title + ": energy per inference (mJ)"),
                        dir.resolve("energy" + suffix + ".png")));
                files.add(save(heatmap(e.getValue(), emcRows, q::of, 1, title + ": " + q.label() + " latency (ms)"),
                        dir.resolve("latency" + suffix + ".png")));
            }
            files.add(save(pareto(table, q), dir.resolve("pareto.png")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plots to " + dir, e);
        }
        return files;
    }

    private static Path save(BufferedImage image, Path file) throws IOException {
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    static BufferedImage heatmap(List<Measurement> rows, boolean emcRows, ToDoubleFunction<Measurement> value,
                                 double scale, String title) {
        TreeSet<Long> cpus = new TreeSet<>();
        TreeSet<Long> gpus = new TreeSet<>();
        Map<String, Double> cells = new TreeMap<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Measurement m : rows) {
            long row = emcRows ? m.point().emcHz() / 1000 : m.point().cpuKHz();
            cpus.add(row);
            gpus.add(m.point().gpuHz());
            double v = value.applyAsDouble(m) * scale;
            cells.put(row + "/" + m.point().gpuHz(), v);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        List<Long> cpuList = new ArrayList<>(cpus);
        List<Long> gpuList = new ArrayList<>(gpus);
        int w = Math.max(LEFT + gpuList.size() * CELL_W + 20, 7 * title.length() + 20);
        int h = TOP + cpuList.size() * CELL_H + 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img);
        g.drawString(title, 10, 18);
        g.drawString("rows: " + (emcRows ? "EMC" : "CPU") + " MHz, columns: GPU MHz", 10, 36);
        for (int j = 0; j < gpuList.size(); j++) {
            g.drawString(String.format("%.0f", gpuList.get(j) / 1e6), LEFT + j * CELL_W + 8, TOP - 8);
        }
        for (int i = 0; i < cpuList.size(); i++) {
            int y = TOP + (cpuList.size() - 1 - i) * CELL_H;
            g.setColor(Color.BLACK);
            g.drawString(String.format("%.0f", cpuList.get(i) / 1e3), 10, y + CELL_H / 2 + 4);
            for (int j = 0; j < gpuList.size(); j++) {
                Double v = cells.get(cpuList.get(i) + "/" + gpuList.get(j));
                int x = LEFT + j * CELL_W;
                if (v == null) {
                    g.setColor(Color.LIGHT_GRAY);
                    g.fillRect(x, y, CELL_W - 1, CELL_H - 1);
                    continue;
                }
                double t = hi > lo ? (v - lo) / (hi - lo) : 0;
                g.setColor(color(t));
                g.fillRect(x, y, CELL_W - 1, CELL_H - 1);
                g.setColor(t > 0.6 ? Color.WHITE : Color.BLACK);
                g.drawString(v >= 100 ? String.format("%.0f", v) : String.format("%.1f", v), x + 6, y + CELL_H / 2 + 4);
            }
        }
        g.setColor(Color.BLACK);
        g.drawString(String.format("low %.2f (yellow)  high %.2f (dark)", lo, hi), 10, h - 20);
        g.dispose();
        return img;
    }

    static BufferedImage pareto(ProfileTable table, Percentile q) {
        int w = 720;
        int h = 480;
        int left = 70;
        int bottom = 50;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = start(img);
        double minL = Double.POSITIVE_INFINITY;
        double maxL = 0;
        double minE = Double.POSITIVE_INFINITY;
        double maxE = 0;
        for (Measurement m : table.rows()) {
            minL = Math.min(minL, q.of(m));
            maxL = Math.max(maxL, q.of(m));
            minE = Math.min(minE, m.energyJ());
            maxE = Math.max(maxE, m.energyJ());
        }
        double[] lx = {minL, maxL};
        double[] ey = {minE, maxE};
        g.drawString(table.key().model() + " on " + table.key().board() + ": energy per inference against "
                + q.label() + " latency; the Pareto frontier in red", 10, 20);
        g.drawLine(left, h - bottom, w - 20, h - bottom);
        g.drawLine(left, 40, left, h - bottom);
        g.drawString(String.format("%.1f ms", minL), left, h - bottom + 15);
        g.drawString(String.format("%.1f ms", maxL), w - 80, h - bottom + 15);
        g.drawString(String.format("%.1f mJ", maxE * 1e3), 5, 50);
        g.drawString(String.format("%.1f mJ", minE * 1e3), 5, h - bottom);
        g.setColor(new Color(90, 90, 200));
        for (Measurement m : table.rows()) {
            int x = px(q.of(m), lx, left, w - 20);
            int y = py(m.energyJ(), ey, 40, h - bottom);
            g.fillOval(x - 2, y - 2, 5, 5);
        }
        g.setColor(Color.RED);
        g.setStroke(new BasicStroke(2));
        List<Measurement> frontier = Selector.paretoFrontier(table, q);
        for (int i = 1; i < frontier.size(); i++) {
            Measurement a = frontier.get(i - 1);
            Measurement b = frontier.get(i);
            g.drawLine(px(q.of(a), lx, left, w - 20), py(a.energyJ(), ey, 40, h - bottom),
                    px(q.of(b), lx, left, w - 20), py(b.energyJ(), ey, 40, h - bottom));
        }
        g.dispose();
        return img;
    }

    private static int px(double v, double[] range, int from, int to) {
        return from + (int) Math.round((v - range[0]) / Math.max(1e-12, range[1] - range[0]) * (to - from));
    }

    private static int py(double v, double[] range, int top, int bottom) {
        return bottom - (int) Math.round((v - range[0]) / Math.max(1e-12, range[1] - range[0]) * (bottom - top));
    }

    private static Graphics2D start(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(FONT);
        return g;
    }

    /** Yellow (low) through orange and red to dark purple (high). */
    private static Color color(double t) {
        float[][] stops = {{1f, 0.95f, 0.6f}, {0.99f, 0.6f, 0.25f}, {0.85f, 0.2f, 0.25f}, {0.35f, 0.05f, 0.35f}};
        double s = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) s);
        double f = s - i;
        return new Color((float) (stops[i][0] + f * (stops[i + 1][0] - stops[i][0])),
                (float) (stops[i][1] + f * (stops[i + 1][1] - stops[i][1])),
                (float) (stops[i][2] + f * (stops[i + 1][2] - stops[i][2])));
    }
}
