package io.joulegov.cli.plot;

import io.joulegov.cli.compare.Trace;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * What a mode did, in pictures: its timeline (clocks held and actual, board power, windowed latency against the
 * budget, temperature, on one time axis with the disturbance shaded), and the modes side by side (energy per
 * inference and misses).
 */
public final class RunPlots {

    /** A mode's figures for the bar chart. */
    public record ModeBar(double energyJPerInference, double missRate) {
    }

    /** A colour per model of a pipeline: the single-model timeline's purple first. */
    private static final Color[] MEMBER_COLORS = {new Color(150, 0, 150), new Color(0, 130, 130), new Color(190, 120, 0),
            new Color(90, 90, 90)};
    private static final BasicStroke SOLID = new BasicStroke(1.6f);
    private static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    private RunPlots() {
    }

    /** One mode's run; {@code percentile} names the latency window's statistic, {@code budgetMs} its budget. */
    public static JFreeChart timeline(String title, Trace trace, double budgetMs, String percentile) {
        return timeline(title, trace, Map.of(percentile + " latency over the last 5 s", trace),
                Map.of(percentile + " latency over the last 5 s", budgetMs), percentile);
    }

    /**
     * One mode's run of several models side by side: the board's clocks, power and heat from {@code board}, and each
     * model's latency at {@code percentile} from its own trace (in {@code latencies}, by name) against its budget.
     */
    public static JFreeChart timeline(String title, Trace board, Map<String, Trace> latencies, Map<String, Double> budgetsMs,
                                      String percentile) {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("board time (s)"));
        plot.setGap(8);
        Trace trace = board; // the clocks, power and heat are the board's, alike in every model's trace
        XYPlot clocks = subplot("clock (MHz)", trace,
                new Line("CPU held", Trace.Sample::cpuHeldMHz, new Color(0, 90, 200), DASHED),
                new Line("CPU actual", Trace.Sample::cpuMHz, new Color(0, 90, 200), SOLID),
                new Line("GPU held", Trace.Sample::gpuHeldMHz, new Color(0, 150, 60), DASHED),
                new Line("GPU actual", Trace.Sample::gpuMHz, new Color(0, 150, 60), SOLID),
                new Line("EMC held", Trace.Sample::emcHeldMHz, new Color(120, 120, 120), DASHED),
                new Line("EMC actual", Trace.Sample::emcMHz, new Color(120, 120, 120), SOLID));
        XYPlot power = subplot("power (W)", trace, new Line("board power", Trace.Sample::watts, new Color(200, 100, 0), SOLID));
        XYPlot latency = latencies(percentile + " (ms)", latencies, budgetsMs);
        XYPlot heat = subplot("hottest (°C)", trace, new Line("hottest thermal zone", Trace.Sample::celsius, new Color(180, 30, 30), SOLID));
        plot.add(clocks, 3);
        plot.add(power, 2);
        plot.add(latency, 2);
        plot.add(heat, 1);
        if (trace.disturbedToS() > trace.disturbedFromS()) {
            for (XYPlot p : new XYPlot[] {clocks, power, latency, heat}) {
                IntervalMarker shade = new IntervalMarker(trace.disturbedFromS(), trace.disturbedToS(), new Color(255, 220, 120, 90));
                if (p == clocks) {
                    shade.setLabel(trace.disturbance().label());
                    shade.setLabelAnchor(RectangleAnchor.TOP);
                    shade.setLabelTextAnchor(TextAnchor.TOP_CENTER);
                }
                p.addDomainMarker(shade, Layer.BACKGROUND);
            }
        }
        JFreeChart chart = new JFreeChart(title, ProfilePlots.TITLE, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    /** Energy per inference and the share of inferences over the budget, mode by mode. */
    public static JFreeChart modes(String title, Map<String, ModeBar> modes) {
        DefaultCategoryDataset energy = new DefaultCategoryDataset();
        DefaultCategoryDataset misses = new DefaultCategoryDataset();
        modes.forEach((mode, r) -> {
            energy.addValue(r.energyJPerInference() * 1e3, "energy per inference", mode);
            misses.addValue(r.missRate() * 100, "misses", mode);
        });
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(new CategoryAxis("mode"));
        plot.add(bars(energy, "mJ per inference", new Color(0, 110, 200)), 2);
        plot.add(bars(misses, "over the budget (%)", new Color(200, 60, 60)), 1);
        JFreeChart chart = new JFreeChart(title, ProfilePlots.TITLE, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static CategoryPlot bars(DefaultCategoryDataset data, String axis, Color color) {
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, color);
        r.setDefaultItemLabelGenerator(new org.jfree.chart.labels.StandardCategoryItemLabelGenerator("{2}",
                new java.text.DecimalFormat("0.##")));
        r.setDefaultItemLabelsVisible(true);
        NumberAxis values = new NumberAxis(axis);
        values.setUpperMargin(0.15); // room for the bars' labels
        CategoryPlot p = new CategoryPlot(data, null, values, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(new Color(220, 220, 220));
        return p;
    }

    private record Line(String name, ToDoubleFunction<Trace.Sample> value, Color color, BasicStroke stroke) {
    }

    /** Each model's windowed latency, one colour each, with its budget as a dashed line of the same colour. */
    private static XYPlot latencies(String axis, Map<String, Trace> latencies, Map<String, Double> budgetsMs) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        double highest = 0;
        int i = 0;
        List<ValueMarker> budgets = new ArrayList<>();
        for (Map.Entry<String, Trace> e : latencies.entrySet()) {
            Color color = MEMBER_COLORS[i++ % MEMBER_COLORS.length];
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (Trace.Sample sample : e.getValue().samples()) {
                if (!Double.isNaN(sample.latencyMs())) {
                    s.add(sample.seconds(), sample.latencyMs());
                    highest = Math.max(highest, sample.latencyMs());
                }
            }
            data.addSeries(s);
            r.setSeriesPaint(data.getSeriesCount() - 1, color);
            r.setSeriesStroke(data.getSeriesCount() - 1, SOLID);
            double budgetMs = budgetsMs.get(e.getKey());
            highest = Math.max(highest, budgetMs);
            ValueMarker budget = new ValueMarker(budgetMs, latencies.size() == 1 ? Color.RED : color, DASHED);
            budget.setLabel(String.format(latencies.size() == 1 ? "budget %.1f ms" : e.getKey() + " budget %.1f ms", budgetMs));
            budget.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
            budget.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            budgets.add(budget);
        }
        NumberAxis range = new NumberAxis(axis);
        range.setRange(0, 1.15 * Math.max(highest, 1e-9)); // every budget in view, met or not
        XYPlot p = new XYPlot(data, null, range, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(new Color(220, 220, 220));
        p.setDomainGridlinePaint(new Color(220, 220, 220));
        budgets.forEach(p::addRangeMarker);
        return p;
    }

    /** A subplot of the lines that have values (held clocks are NaN under the default governors, and left out). */
    private static XYPlot subplot(String axis, Trace trace, Line... lines) {
        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (Line l : lines) {
            XYSeries s = new XYSeries(l.name(), false, true);
            for (Trace.Sample sample : trace.samples()) {
                double v = l.value().applyAsDouble(sample);
                if (!Double.isNaN(v)) {
                    s.add(sample.seconds(), v);
                }
            }
            if (!s.isEmpty()) {
                data.addSeries(s);
                r.setSeriesPaint(data.getSeriesCount() - 1, l.color());
                r.setSeriesStroke(data.getSeriesCount() - 1, l.stroke());
            }
        }
        NumberAxis range = new NumberAxis(axis);
        range.setAutoRangeIncludesZero(false);
        XYPlot p = new XYPlot(data, null, range, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(new Color(220, 220, 220));
        p.setRangeGridlinePaint(new Color(220, 220, 220));
        return p;
    }
}
