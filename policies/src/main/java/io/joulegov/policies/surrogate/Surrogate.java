package io.joulegov.policies.surrogate;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.select.Percentile;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

import java.util.ArrayList;
import java.util.List;

/**
 * Models for the points a sparse sweep did not measure, fitted by least squares (commons-math3) on the points it
 * did: latency as work over frequency per domain ({@code a/fcpu + b/fgpu + c/femc + d}, the shape of the virtual
 * board and of real boards alike) and power as static plus per-domain terms up to the cube of the frequency (V^2 f
 * with V rising in f). With the EMC as an axis, energy per inference is also modelled, as what adds up over an
 * inference: static power over its latency, each compute domain's switching energy (its work times V^2, a function
 * of its clock alone) and the memory's power, set by its rate, drawn over the whole latency ({@code femc x t}). A
 * lower EMC rate stretches the memory's share of each inference and shrinks the compute domains' shares of its
 * time, so a power additive in the clocks mispredicts there (by up to 8% in energy on the virtual Orin Nano Super);
 * where power does add up in the clocks instead, that form holds out better, and each fit keeps the form whose
 * held-out error is the smaller.
 * A domain measured at fewer than four clocks gets fewer terms (a line through two clocks, a constant for one), so
 * that what was not measured is not invented. Each model's error is estimated on held-out
 * points (leave-one-out), so a decision can say when a prediction's margin straddles the budget.
 */
public final class Surrogate {

    private final double[] latency;
    /** The second model: power, or (with the EMC, where it holds out better) energy per inference. */
    private final double[] power;
    private final Form form;
    /**
     * The board's idle power, additive in the clocks, each clock's share piecewise linear between up to four of its
     * measured levels (idle power is leakage and clock trees, V^2 f with a voltage knee, which a cubic misses at the
     * grid's low corners); null when a measured row lacks it.
     */
    private final double[] idle;
    private final double[][] idleKnots;
    private final boolean emc;
    private final double p50Ratio;
    private final double p95Ratio;
    private final double p99Ratio;
    private final double scaleCpu;
    private final double scaleGpu;
    private final double scaleEmc;
    private final int cpuDegree;
    private final int gpuDegree;
    private double latencyError = Double.NaN;
    private double powerError = Double.NaN;

    private Surrogate(double[] latency, double[] power, Form form, double[] idle, double[][] idleKnots, boolean emc,
                      double[] ratios, double[] scales, int[] degrees) {
        this.latency = latency;
        this.power = power;
        this.form = form;
        this.idle = idle;
        this.idleKnots = idleKnots;
        this.emc = emc;
        this.p50Ratio = ratios[0];
        this.p95Ratio = ratios[1];
        this.p99Ratio = ratios[2];
        this.scaleCpu = scales[0];
        this.scaleGpu = scales[1];
        this.scaleEmc = scales[2];
        this.cpuDegree = degrees[0];
        this.gpuDegree = degrees[1];
    }

    /** How the second model reads: power additive in the clocks, or energy per inference additive in the domains. */
    private enum Form { POWER, ENERGY }

    /**
     * Fits both models on measured rows, and estimates their errors on held-out points: every point the models can
     * be fitted without (with as many points as terms, a point cannot be left out); NaN when none can. With the EMC
     * as an axis both forms of the second model are fitted, and the one with the smaller held-out error is kept.
     */
    public static Surrogate fit(List<Measurement> measured) {
        boolean emc = measured.stream().map(m -> m.point().emcHz()).distinct().count() > 1;
        Surrogate best = null;
        for (Form form : emc ? List.of(Form.ENERGY, Form.POWER) : List.of(Form.POWER)) {
            Surrogate s = withHeldOutErrors(measured, form);
            if (best == null || s.powerError < best.powerError) { // false for NaN: the first form then stays
                best = s;
            }
        }
        return best;
    }

    private static Surrogate withHeldOutErrors(List<Measurement> measured, Form form) {
        Surrogate s = fitOnly(measured, form, true);
        List<Double> latencyErrors = new ArrayList<>();
        List<Double> powerErrors = new ArrayList<>();
        for (int i = 0; i < measured.size(); i++) {
            List<Measurement> rest = new ArrayList<>(measured);
            Measurement out = rest.remove(i);
            Surrogate fold;
            try {
                fold = fitOnly(rest, form, false); // its idle model would go unused
            } catch (RuntimeException tooFewWithoutIt) {
                continue;
            }
            latencyErrors.add(Math.abs(fold.meanMs(out.point()) / out.meanMs() - 1));
            powerErrors.add(Math.abs(fold.powerW(out.point()) / out.powerW() - 1));
        }
        if (!latencyErrors.isEmpty()) {
            s.latencyError = Percentile.ofSorted(latencyErrors.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.95);
            s.powerError = Percentile.ofSorted(powerErrors.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.95);
        }
        return s;
    }

    /** Both models on {@code rows}, and the idle power's where {@code withIdle} and every row measured it. */
    private static Surrogate fitOnly(List<Measurement> rows, Form form, boolean withIdle) {
        int cpuDegree = (int) Math.min(3, rows.stream().map(m -> m.point().cpuKHz()).distinct().count() - 1);
        int gpuDegree = (int) Math.min(3, rows.stream().map(m -> m.point().gpuHz()).distinct().count() - 1);
        boolean emc = rows.stream().map(m -> m.point().emcHz()).distinct().count() > 1;
        int[] degrees = {cpuDegree, gpuDegree};
        int powerTerms = cpuDegree + gpuDegree + (emc ? 1 : 0) + (form == Form.ENERGY ? 1 : 0);
        if (rows.size() < powerTerms + 2) {
            throw new IllegalArgumentException("the surrogates need at least " + (powerTerms + 2) + " measured points, not " + rows.size());
        }
        double[] scales = {
            rows.stream().mapToDouble(m -> m.point().cpuKHz()).max().orElse(1),
            rows.stream().mapToDouble(m -> m.point().gpuHz()).max().orElse(1),
            emc ? rows.stream().mapToDouble(m -> m.point().emcHz()).max().orElse(1) : 1};
        double[][] lx = new double[rows.size()][];
        double[][] px = new double[rows.size()][];
        double[] ly = new double[rows.size()];
        double[] py = new double[rows.size()];
        double[] ratios = new double[3];
        for (int i = 0; i < rows.size(); i++) {
            Measurement m = rows.get(i);
            lx[i] = latencyFeatures(m.point(), emc, scales, degrees);
            px[i] = secondFeatures(form, m.point(), m.meanMs(), emc, scales, degrees);
            ly[i] = m.meanMs();
            py[i] = form == Form.ENERGY ? m.energyJ() : m.powerW();
            ratios[0] += m.p50Ms() / m.meanMs() / rows.size();
            ratios[1] += m.p95Ms() / m.meanMs() / rows.size();
            ratios[2] += m.p99Ms() / m.meanMs() / rows.size();
        }
        double[][] knots = idleKnots(rows);
        double[] idle = withIdle && rows.stream().allMatch(Measurement::hasIdlePower) ? idleModel(rows, knots) : null;
        return new Surrogate(ols(lx, ly), ols(px, py), form, idle, knots, emc, ratios, scales, degrees);
    }

    /** The idle power's model, or null when the rows cannot determine it (fewer than its terms, or degenerate). */
    private static double[] idleModel(List<Measurement> rows, double[][] knots) {
        double[][] x = rows.stream().map(m -> idleFeatures(m.point(), knots)).toArray(double[][]::new);
        double[] y = rows.stream().mapToDouble(Measurement::idleW).toArray();
        if (x.length <= x[0].length + 1) {
            return null;
        }
        try {
            return ols(x, y);
        } catch (RuntimeException degenerate) {
            return null;
        }
    }

    /** Per clock, up to four of its measured levels (the ends and two between), the knots of its idle share. */
    private static double[][] idleKnots(List<Measurement> rows) {
        List<java.util.function.ToDoubleFunction<OperatingPoint>> clocks = List.of(OperatingPoint::cpuKHz,
                OperatingPoint::gpuHz, p -> p.emcHz() == null ? 0 : p.emcHz());
        double[][] knots = new double[3][];
        for (int a = 0; a < 3; a++) {
            var clock = clocks.get(a);
            double[] levels = rows.stream().mapToDouble(m -> clock.applyAsDouble(m.point())).distinct().sorted().toArray();
            int n = levels.length - 1;
            knots[a] = java.util.stream.IntStream.of(0, n / 3, 2 * n / 3, n).distinct().mapToDouble(i -> levels[i]).toArray();
        }
        return knots;
    }

    /**
     * Tent functions over each clock's knots, the first of each dropped (the intercept holds it): a clock at one level
     * gives none.
     */
    private static double[] idleFeatures(OperatingPoint p, double[][] knots) {
        double[] f = {p.cpuKHz(), p.gpuHz(), p.emcHz() == null ? 0 : p.emcHz()};
        List<Double> out = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            double[] k = knots[a];
            for (int j = 1; j < k.length; j++) {
                double x = Math.max(k[0], Math.min(k[k.length - 1], f[a]));
                double left = k[j - 1];
                double right = j + 1 < k.length ? k[j + 1] : Double.NaN;
                double t;
                if (x <= left) {
                    t = 0;
                } else if (x <= k[j]) {
                    t = (x - left) / (k[j] - left);
                } else {
                    t = Double.isNaN(right) ? 1 : Math.max(0, (right - x) / (right - k[j]));
                }
                out.add(t);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] ols(double[][] x, double[] y) {
        OLSMultipleLinearRegression r = new OLSMultipleLinearRegression();
        r.newSampleData(y, x);
        return r.estimateRegressionParameters();
    }

    private static double[] latencyFeatures(OperatingPoint p, boolean emc, double[] s, int[] degrees) {
        List<Double> f = new ArrayList<>();
        if (degrees[0] > 0) {
            f.add(1 / (p.cpuKHz() / s[0]));
        }
        if (degrees[1] > 0) {
            f.add(1 / (p.gpuHz() / s[1]));
        }
        if (emc) {
            f.add(s[2] / p.emcHz());
        }
        return f.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The compute domains' terms: each clock (against its top) to the powers 1 up to its degree. */
    private static double[] powerFeatures(OperatingPoint p, double[] s, int[] degrees) {
        double c = p.cpuKHz() / s[0];
        double g = p.gpuHz() / s[1];
        double[] f = new double[degrees[0] + degrees[1]];
        int k = 0;
        double term = 1;
        for (int d = 1; d <= degrees[0]; d++) {
            term *= c;
            f[k++] = term;
        }
        term = 1;
        for (int d = 1; d <= degrees[1]; d++) {
            term *= g;
            f[k++] = term;
        }
        return f;
    }

    /**
     * The second model's features at {@code p}, whose latency is {@code ms}. Power: the compute domains' terms and the
     * EMC's rate. Energy: the latency in s (static power over it), the compute domains' terms (their switching energy
     * per inference), and the EMC's rate times the latency (the memory's power over the whole inference).
     */
    private static double[] secondFeatures(Form form, OperatingPoint p, double ms, boolean emc, double[] s, int[] degrees) {
        double[] compute = powerFeatures(p, s, degrees);
        if (form == Form.POWER && !emc) {
            return compute;
        }
        double seconds = ms / 1e3;
        List<Double> f = new ArrayList<>();
        if (form == Form.ENERGY) {
            f.add(seconds);
        }
        for (double c : compute) {
            f.add(c);
        }
        if (emc) {
            f.add(p.emcHz() / s[2] * (form == Form.ENERGY ? seconds : 1));
        }
        return f.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private double apply(double[] beta, double[] features) {
        double y = beta[0];
        for (int i = 0; i < features.length; i++) {
            y += beta[i + 1] * features[i];
        }
        return y;
    }

    public double meanMs(OperatingPoint p) {
        return apply(latency, latencyFeatures(p, emc, new double[] {scaleCpu, scaleGpu, scaleEmc}, new int[] {cpuDegree, gpuDegree}));
    }

    public double powerW(OperatingPoint p) {
        double ms = meanMs(p);
        double y = apply(power, secondFeatures(form, p, ms, emc, new double[] {scaleCpu, scaleGpu, scaleEmc},
                new int[] {cpuDegree, gpuDegree}));
        return form == Form.ENERGY ? y / (ms / 1e3) : y;
    }

    /** The board's idle power at {@code p}; NaN when the rows it was fitted on did not all measure it. */
    public double idleW(OperatingPoint p) {
        return idle == null ? Double.NaN : Math.max(0, apply(idle, idleFeatures(p, idleKnots)));
    }

    /**
     * A predicted row for {@code p}: latency, power and idle power from the models, percentiles in the measured
     * proportions.
     */
    public Measurement predict(OperatingPoint p) {
        double ms = Math.max(1e-6, meanMs(p));
        double w = Math.max(1e-6, powerW(p));
        return new Measurement(p, ms, ms * p50Ratio, ms * p95Ratio, ms * p99Ratio, w * ms / 1e3, w, 0, 0, null,
                Measurement.Source.PREDICTED, idleW(p));
    }

    /** The 95th percentile of the relative latency error on held-out points (0.03: within 3%). */
    public double latencyError() {
        return latencyError;
    }

    /** The same for power (and so, with latency, for energy). */
    public double powerError() {
        return powerError;
    }

    /** Whether a predicted latency could, within its error, fall on either side of the budget. */
    public boolean straddles(double predictedMs, double budgetMs) {
        return predictedMs * (1 - latencyError) <= budgetMs && predictedMs * (1 + latencyError) > budgetMs;
    }

    /** The measured rows, and a predicted one for every other point of the grid (measured rows always win). */
    public List<Measurement> fill(List<Measurement> measured, List<OperatingPoint> grid) {
        List<Measurement> out = new ArrayList<>(measured);
        var have = measured.stream().map(Measurement::point).collect(java.util.stream.Collectors.toSet());
        for (OperatingPoint p : grid) {
            if (!have.contains(p)) {
                out.add(predict(p));
            }
        }
        return out;
    }
}
