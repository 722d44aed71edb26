package io.joulegov.policies.learn;

import io.joulegov.policies.profile.OperatingPoint;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the board measured of one quantity (energy per inference) against what the profile said, as a correction
 * over the whole grid: {@code log(measured / profiled)} is modelled as a line in the log of each clock
 * ({@code w0 + w1 ln(fcpu/fmax) + w2 ln(fgpu/fmax) + w3 ln(femc/fmax)}) plus a deviation of each point's own. The
 * line is Bayesian linear regression with a Gaussian prior (another unit of the same board differs by a few percent,
 * smoothly over the grid); a measured point's own deviation is then estimated by shrinking its measurements toward
 * the line (a Kalman update per point). So one measurement informs every point a little and its own point a lot,
 * and every estimate carries its uncertainty. Old measurements fade with a half-life, so that an aged board is
 * followed. A board also drifts as a whole (warmer, a slower phase), which would make a point measured at a bad
 * moment look dear: each measurement is taken relative to the drift seen at that time, as measured by the points
 * already well known (the one held most of the time), so that points are compared as if measured side by side.
 * Pure arithmetic: time is passed in.
 */
public final class PointCorrection {

    /** An estimate of {@code log(measured / profiled)} at a point: its mean and standard deviation. */
    public record Estimate(double mean, double sd) {

        /** The correction factor, optimistic by {@code k} standard deviations (a lower confidence bound). */
        public double lowerFactor(double k) {
            return Math.exp(mean - k * sd);
        }

        public double factor() {
            return Math.exp(mean);
        }
    }

    /**
     * The prior and noise: how far a board may differ (its level and the slopes over the grid) and each point from
     * the line, how noisy one measurement is (all in log units), how fast old measurements fade, and the time
     * constant with which the common drift is followed.
     */
    public record Settings(double levelSd, double slopeSd, double pointSd, double predictedPointSd,
                           double measurementSd, long halfLifeNanos, long levelTauNanos) {

        /**
         * Units differ by up to ~10% per domain; a measured profile row is good to ~2% of its own, a row a sparse sweep
         * predicted to ~3% (its surrogate's error, bench/sparse-vs-full.sh); one control interval's energy per
         * inference is good to ~2%.
         */
        public static Settings defaults() {
            return new Settings(0.15, 0.05, 0.02, 0.03, 0.02, 600_000_000_000L, 10_000_000_000L);
        }

        /** As {@link #defaults()} for a profile made on this very unit: it can only have aged or warmed a little. */
        public Settings thisUnit() {
            return new Settings(0.05, 0.02, pointSd, predictedPointSd, measurementSd, halfLifeNanos, levelTauNanos);
        }

        /** As these, for predicted rows whose models are known to err by {@code sd}. */
        public Settings withPredictedPointSd(double sd) {
            return new Settings(levelSd, slopeSd, pointSd, sd, measurementSd, halfLifeNanos, levelTauNanos);
        }
    }

    /** Measurements a point needs before it is trusted to measure the drift. */
    static final double SETTLED = 3;

    private final Settings settings;
    private final Set<OperatingPoint> predicted;
    private final double[] maxima;
    private final Map<OperatingPoint, double[]> points = new HashMap<>(); // {weighted sum of logs, weight, time}
    private double level;
    private long levelAt = Long.MIN_VALUE / 2;
    private double[] weights;
    private double[][] covariance;
    private boolean stale = true;
    /** The time the line was last fitted at: evidence fades with time, so a fit holds for that moment only. */
    private long fittedAt;

    /**
     * A correction over the grid spanned by {@code grid} (every point the decisions may choose); the points in
     * {@code predicted} were predicted by the profile rather than measured, so may be further off.
     */
    public PointCorrection(List<OperatingPoint> grid, Set<OperatingPoint> predicted, Settings settings) {
        this.settings = settings;
        this.predicted = Set.copyOf(predicted);
        this.maxima = new double[] {
                grid.stream().mapToDouble(OperatingPoint::cpuKHz).max().orElse(1),
                grid.stream().mapToDouble(OperatingPoint::gpuHz).max().orElse(1),
                grid.stream().filter(p -> p.emcHz() != null).mapToDouble(OperatingPoint::emcHz).max().orElse(1)};
    }

    /**
     * One measurement at {@code point}: {@code measured} against {@code profiled}, at {@code now}; false when it is no
     * measurement (not a positive finite number) and was ignored.
     */
    public boolean observe(OperatingPoint point, double measured, double profiled, long now) {
        if (!(measured > 0) || !(profiled > 0) || Double.isInfinite(measured)) {
            return false;
        }
        double y = Math.log(measured / profiled);
        double[] p = points.computeIfAbsent(point, k -> new double[3]);
        double fade = fade(p[2], now);
        if (p[1] * fade >= SETTLED) {
            // a well-known point measures the drift: what it shows beyond its own estimate is the board's level now
            double k = 1 - Math.exp(-Math.max(0, now - levelAt) / (double) settings.levelTauNanos());
            level += k * (y - p[0] / p[1] - level);
            levelAt = now;
        }
        p[0] = p[0] * fade + y - level;
        p[1] = p[1] * fade + 1;
        p[2] = now;
        stale = true;
        return true;
    }

    /**
     * The board's drift now, as a log factor common to every point (warmer, throttled, a slower phase of load): the
     * drift last seen. It carries no weight to fade; its age is accounted for when the next measurement comes in,
     * which replaces it the more the longer it went unobserved (time constant {@code levelTauNanos}).
     */
    public double level() {
        return level;
    }

    /** How many points have been measured. */
    public int measuredPoints() {
        return points.size();
    }

    /**
     * The estimate at {@code point} at {@code now}: every measurement weighs as it has faded by then, also when none
     * was made since (the line's and the point's own evidence age alike, as {@link #observe} fades them), so with
     * nothing observed the uncertainty grows back to the prior's.
     */
    public Estimate at(OperatingPoint point, long now) {
        fit(now);
        double[] x = features(point);
        double mean = 0;
        double var = 0;
        for (int i = 0; i < x.length; i++) {
            mean += x[i] * weights[i];
            for (int j = 0; j < x.length; j++) {
                var += x[i] * covariance[i][j] * x[j];
            }
        }
        var += pointVariance(point);
        double[] own = points.get(point);
        if (own != null) {
            double n = own[1] * fade(own[2], now);
            if (n > 0) {
                double noise = settings.measurementSd() * settings.measurementSd() / n;
                double gain = var / (var + noise);
                mean += gain * (own[0] / own[1] - mean);
                var *= 1 - gain;
            }
        }
        return new Estimate(mean, Math.sqrt(var));
    }

    /**
     * The line's posterior at {@code now} from every measured point, each point's mean counted once with its own
     * noise, faded by the time since it was measured. Refitted when a measurement came in or time passed (a decision
     * asks every point at one time: one fit).
     */
    private void fit(long now) {
        if (!stale && weights != null && fittedAt == now) {
            return;
        }
        int d = 4;
        double[][] precision = new double[d][d];
        double[] prior = {settings.levelSd(), settings.slopeSd(), settings.slopeSd(), settings.slopeSd()};
        for (int i = 0; i < d; i++) {
            precision[i][i] = 1 / (prior[i] * prior[i]);
        }
        double[] b = new double[d];
        for (Map.Entry<OperatingPoint, double[]> e : points.entrySet()) {
            double[] p = e.getValue();
            double n = p[1] * fade(p[2], now);
            if (!(n > 1e-6)) {
                continue;
            }
            double y = p[0] / p[1];
            double noise = settings.measurementSd() * settings.measurementSd() / n + pointVariance(e.getKey());
            double[] x = features(e.getKey());
            for (int i = 0; i < d; i++) {
                b[i] += x[i] * y / noise;
                for (int j = 0; j < d; j++) {
                    precision[i][j] += x[i] * x[j] / noise;
                }
            }
        }
        DecompositionSolver solver = new CholeskyDecomposition(new Array2DRowRealMatrix(precision)).getSolver();
        RealMatrix inverse = solver.getInverse();
        RealVector w = solver.solve(new ArrayRealVector(b));
        weights = w.toArray();
        covariance = inverse.getData();
        stale = false;
        fittedAt = now;
    }

    private double pointVariance(OperatingPoint p) {
        double sd = predicted.contains(p) ? settings.predictedPointSd() : settings.pointSd();
        return sd * sd;
    }

    private double[] features(OperatingPoint p) {
        return new double[] {1, logShare(p.cpuKHz(), maxima[0]), logShare(p.gpuHz(), maxima[1]),
                p.emcHz() == null ? 0 : logShare(p.emcHz(), maxima[2])};
    }

    /** A clock as the log of its share of the top one; 0 for a domain the board does not have (no GPU). */
    private static double logShare(double f, double max) {
        return f > 0 && max > 0 ? Math.log(f / max) : 0;
    }

    private double fade(double since, long now) {
        return Math.pow(0.5, Math.max(0, now - since) / (double) settings.halfLifeNanos());
    }
}
