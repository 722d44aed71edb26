package io.joulegov.cli.plot;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYPointerAnnotation;
import org.jfree.chart.annotations.XYShapeAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * What a profile offers, in pictures: energy and latency heatmaps over the clock grid (a sparse sweep's predicted
 * cells dashed, the choice for the budget outlined) and the Pareto frontier of energy against latency on log scales,
 * with the budget, the chosen point, the top clocks where the default governors keep a busy board, and, for
 * {@code compare}, each mode's run.
 */
public final class ProfilePlots {

    /** A run to show beside the frontier: its latency at the budget's percentile and its energy per inference. */
    public record Run(String label, double latencyMs, double energyJ) {
    }

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font CELL = new Font(Font.SANS_SERIF, Font.PLAIN, 9);
    private static final BasicStroke DASHED = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {3f, 2f}, 0f);

    private ProfilePlots() {
    }

    /**
     * Writes the heatmaps (one pair per EMC rate) and the Pareto plot into {@code dir}, PNG and SVG; {@code choice}
     * (null for none) is outlined and marked. Returns the files written.
     */
    public static List<Path> write(ProfileTable table, Percentile q, Selection choice, Path dir) {
        List<Path> files = new ArrayList<>();
        boolean emcRows = table.rows().stream().map(m -> m.point().cpuKHz()).distinct().count() == 1
                && table.rows().stream().map(m -> m.point().emcHz()).distinct().count() > 1;
        Map<Long, List<Measurement>> groups = new TreeMap<>();
        for (Measurement m : table.rows()) {
            long group = emcRows || m.point().emcHz() == null ? -1L : m.point().emcHz();
            groups.computeIfAbsent(group, k -> new ArrayList<>()).add(m);
        }
        String subject = table.key().model() + " on " + table.key().board();
        OperatingPoint chosen = choice == null || !choice.feasible() ? null : choice.chosen().point();
        for (Map.Entry<Long, List<Measurement>> e : groups.entrySet()) {
            String suffix = e.getKey() < 0 ? "" : "-emc" + e.getKey() / 1_000_000;
            String title = subject + (e.getKey() < 0 ? "" : String.format(", EMC %d MHz", e.getKey() / 1_000_000));
            files.addAll(ChartFiles.write(heatmap(e.getValue(), emcRows, Measurement::energyJ, 1e3,
                    title + ": energy per inference", "mJ", chosen), dir, "energy" + suffix, 900, 620));
            files.addAll(ChartFiles.write(heatmap(e.getValue(), emcRows, q::of, 1,
                    title + ": " + q.label() + " latency", "ms", chosen), dir, "latency" + suffix, 900, 620));
        }
        files.addAll(ChartFiles.write(pareto(table, q, choice, List.of()), dir, "pareto", 900, 620));
        return files;
    }

    /** Rows are CPU clocks (or EMC rates), columns GPU clocks; each cell shows its value. */
    public static JFreeChart heatmap(List<Measurement> rows, boolean emcRows, ToDoubleFunction<Measurement> value,
                                     double scale, String title, String unit, OperatingPoint chosen) {
        TreeSet<Long> rowClocks = new TreeSet<>();
        TreeSet<Long> gpuClocks = new TreeSet<>();
        for (Measurement m : rows) {
            rowClocks.add(rowOf(m.point(), emcRows));
            gpuClocks.add(m.point().gpuHz());
        }
        List<Long> rowList = new ArrayList<>(rowClocks);
        List<Long> gpuList = new ArrayList<>(gpuClocks);
        double[][] cells = new double[3][rows.size()];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < rows.size(); i++) {
            Measurement m = rows.get(i);
            cells[0][i] = gpuList.indexOf(m.point().gpuHz());
            cells[1][i] = rowList.indexOf(rowOf(m.point(), emcRows));
            cells[2][i] = value.applyAsDouble(m) * scale;
            lo = Math.min(lo, cells[2][i]);
            hi = Math.max(hi, cells[2][i]);
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(title, cells);
        HeatScale paints = new HeatScale(lo, hi > lo ? hi : lo + 1);
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(paints);
        XYPlot plot = new XYPlot(data, new SymbolAxis("GPU clock (MHz)", labels(gpuList, 1e6)),
                new SymbolAxis(emcRows ? "EMC clock (MHz)" : "CPU clock (MHz)", labels(rowList, emcRows ? 1e6 : 1e3)), renderer);
        plot.setBackgroundPaint(Color.LIGHT_GRAY); // a cell the profile does not hold
        boolean anyPredicted = false;
        for (int i = 0; i < rows.size(); i++) {
            Measurement m = rows.get(i);
            double v = cells[2][i];
            XYTextAnnotation text = new XYTextAnnotation(v >= 100 ? String.format("%.0f", v) : String.format("%.1f", v),
                    cells[0][i], cells[1][i]);
            text.setFont(m.predicted() ? CELL.deriveFont(Font.ITALIC) : CELL);
            text.setPaint(paints.dark(v) ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(text);
            if (m.predicted()) {
                anyPredicted = true;
                plot.addAnnotation(new XYShapeAnnotation(cell(cells[0][i], cells[1][i], 0.42), DASHED, Color.DARK_GRAY));
            }
            if (m.point().equals(chosen)) {
                plot.addAnnotation(new XYShapeAnnotation(cell(cells[0][i], cells[1][i], 0.48), new BasicStroke(3f), new Color(0, 110, 255)));
            }
        }
        JFreeChart chart = new JFreeChart(title + " (" + unit + ")", TITLE, plot, false);
        PaintScaleLegend legend = new PaintScaleLegend(paints, new NumberAxis(unit));
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        List<String> notes = new ArrayList<>();
        if (chosen != null) {
            notes.add("blue outline: the choice for the budget");
        }
        if (anyPredicted) {
            notes.add("dashed, italic: predicted by the sparse sweep's models, not measured");
        }
        if (!notes.isEmpty()) {
            chart.addSubtitle(new TextTitle(String.join("; ", notes)));
        }
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /**
     * Energy against latency at {@code q}, both on log scales (a frontier spans 3-10x in latency): every point, the
     * frontier, the top clocks, the budget and the choice when there is one, and each run given.
     */
    public static JFreeChart pareto(ProfileTable table, Percentile q, Selection choice, List<Run> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYSeries measured = new XYSeries("measured points", false, true);
        XYSeries predicted = new XYSeries("predicted points", false, true);
        for (Measurement m : table.rows()) {
            (m.predicted() ? predicted : measured).add(q.of(m), m.energyJ() * 1e3);
        }
        XYSeries frontier = new XYSeries("Pareto frontier", false, true);
        for (Measurement m : Selector.paretoFrontier(table, q)) {
            frontier.add(q.of(m), m.energyJ() * 1e3);
        }
        Measurement top = table.rows().stream().max((a, b) -> a.point().compareTo(b.point())).orElseThrow();
        XYSeries topClocks = new XYSeries("top clocks (where the default governors keep a busy board)", false, true);
        topClocks.add(q.of(top), top.energyJ() * 1e3);
        data.addSeries(measured);
        data.addSeries(predicted);
        data.addSeries(frontier);
        data.addSeries(topClocks);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        style(renderer, 0, false, new Color(120, 120, 120), 4, false);
        style(renderer, 1, false, new Color(170, 170, 170), 4, true);
        style(renderer, 2, true, new Color(200, 30, 30), 5, false);
        style(renderer, 3, false, Color.BLACK, 10, true);
        XYPlot plot = new XYPlot(data, new RoundLogAxis(q.label() + " latency (ms)"), new RoundLogAxis("energy per inference (mJ)"), renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        Color[] runColors = {new Color(0, 150, 60), new Color(150, 0, 150), new Color(230, 140, 0), new Color(0, 160, 170),
                new Color(110, 80, 40), new Color(90, 90, 255), new Color(255, 0, 120)};
        for (int i = 0; i < runs.size(); i++) {
            Run r = runs.get(i);
            XYSeries s = new XYSeries(r.label() + " (run)", false, true);
            s.add(r.latencyMs(), r.energyJ() * 1e3);
            data.addSeries(s);
            style(renderer, data.getSeriesCount() - 1, false, runColors[i % runColors.length], 9, false);
        }
        if (choice != null) {
            ValueMarker budget = new ValueMarker(choice.budgetMs(), new Color(0, 110, 255), new BasicStroke(1.5f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
            budget.setLabel(String.format("budget %.1f ms (%s)", choice.budgetMs(), q.label()));
            budget.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_LEFT);
            budget.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(budget);
            if (choice.feasible()) {
                Measurement c = choice.chosen();
                XYSeries chosen = new XYSeries("the choice for the budget", false, true);
                chosen.add(q.of(c), c.energyJ() * 1e3);
                data.addSeries(chosen);
                style(renderer, data.getSeriesCount() - 1, false, new Color(0, 110, 255), 12, false);
                XYPointerAnnotation label = new XYPointerAnnotation(chosenLabel(c, q), q.of(c), c.energyJ() * 1e3, -Math.PI / 4);
                label.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
                label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
                plot.addAnnotation(label);
            }
        }
        JFreeChart chart = new JFreeChart(table.key().model() + " on " + table.key().board()
                + ": energy per inference against " + q.label() + " latency", TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** The words beside the chosen point; a test finds them in the SVG. */
    public static String chosenLabel(Measurement c, Percentile q) {
        return String.format(Locale.ROOT, "chosen: CPU %.0f MHz, GPU %.0f MHz: %.1f ms, %.1f mJ", c.point().cpuKHz() / 1e3,
                c.point().gpuHz() / 1e6, q.of(c), c.energyJ() * 1e3);
    }

    private static void style(XYLineAndShapeRenderer r, int series, boolean lines, Paint paint, double size, boolean hollow) {
        r.setSeriesLinesVisible(series, lines);
        r.setSeriesShapesVisible(series, true);
        r.setSeriesPaint(series, paint);
        r.setSeriesShape(series, new Ellipse2D.Double(-size / 2, -size / 2, size, size));
        r.setSeriesShapesFilled(series, !hollow);
        r.setSeriesStroke(series, new BasicStroke(lines ? 2f : 1f));
    }

    private static long rowOf(OperatingPoint p, boolean emcRows) {
        return emcRows ? p.emcHz() : p.cpuKHz();
    }

    private static String[] labels(List<Long> clocks, double per) {
        return clocks.stream().map(c -> String.format("%.0f", c / per)).toArray(String[]::new);
    }

    private static Rectangle2D cell(double x, double y, double half) {
        return new Rectangle2D.Double(x - half, y - half, 2 * half, 2 * half);
    }

    /** Yellow (low) through orange and red to dark purple (high). */
    static final class HeatScale implements PaintScale {
        private static final float[][] STOPS = {{1f, 0.95f, 0.6f}, {0.99f, 0.6f, 0.25f}, {0.85f, 0.2f, 0.25f}, {0.35f, 0.05f, 0.35f}};
        private final double lo;
        private final double hi;

        HeatScale(double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public double getLowerBound() {
            return lo;
        }

        @Override
        public double getUpperBound() {
            return hi;
        }

        @Override
        public Paint getPaint(double value) {
            double s = share(value) * (STOPS.length - 1);
            int i = Math.min(STOPS.length - 2, (int) s);
            double f = s - i;
            return new Color((float) (STOPS[i][0] + f * (STOPS[i + 1][0] - STOPS[i][0])),
                    (float) (STOPS[i][1] + f * (STOPS[i + 1][1] - STOPS[i][1])),
                    (float) (STOPS[i][2] + f * (STOPS[i + 1][2] - STOPS[i][2])));
        }

        boolean dark(double value) {
            return share(value) > 0.6;
        }

        private double share(double value) {
            return Math.max(0, Math.min(1, (value - lo) / (hi - lo)));
        }
    }
}
