package io.joulegov.policies.profile;

/**
 * What one operating point costs: latency per inference (mean and percentiles, ms), energy per inference (J), mean
 * board power (W), the coefficient of variation of energy over reruns, how many inferences it rests on, the hottest
 * zone's temperature (C, null if unknown), where the row comes from, and the board's power while it holds the point
 * with no inference running (W; NaN when not measured): what each second between two requests costs there. A host
 * without power sensors gives latency only: energy and power are then NaN.
 */
public record Measurement(OperatingPoint point, double meanMs, double p50Ms, double p95Ms, double p99Ms,
                          double energyJ, double powerW, double cov, long inferences, Double tempC, Source source,
                          double idleW) {

    /** A row whose idle power was not measured. */
    public Measurement(OperatingPoint point, double meanMs, double p50Ms, double p95Ms, double p99Ms, double energyJ,
                       double powerW, double cov, long inferences, Double tempC, Source source) {
        this(point, meanMs, p50Ms, p95Ms, p99Ms, energyJ, powerW, cov, inferences, tempC, source, Double.NaN);
    }

    /** This row with the board's idle power at its point. */
    public Measurement withIdleW(double watts) {
        return new Measurement(point, meanMs, p50Ms, p95Ms, p99Ms, energyJ, powerW, cov, inferences, tempC, source, watts);
    }

    /** Whether the board's idle power at the point is known. */
    public boolean hasIdlePower() {
        return Double.isFinite(idleW);
    }

    /** Where a row comes from. */
    public enum Source {
        /** Measured by a profiling sweep (or imported). */
        MEASURED,
        /** Predicted by a sparse sweep's surrogate models, not measured. */
        PREDICTED,
        /** Energy measured by the governor while it held the point (latencies are the profile's). */
        LEARNED
    }

    /** Whether the row was predicted by a surrogate rather than measured. */
    public boolean predicted() {
        return source == Source.PREDICTED;
    }

    /** A measured row whose percentiles are unknown: they equal the mean. */
    public static Measurement ofMean(OperatingPoint point, double meanMs, double energyJ) {
        return new Measurement(point, meanMs, meanMs, meanMs, meanMs, energyJ, energyJ / (meanMs / 1e3), 0, 0, null, Source.MEASURED);
    }

    /** A row measured where no power sensor could be read. */
    public static Measurement ofLatency(OperatingPoint point, double meanMs, double p50Ms, double p95Ms, double p99Ms,
                                        long inferences, Double tempC) {
        return new Measurement(point, meanMs, p50Ms, p95Ms, p99Ms, Double.NaN, Double.NaN, 0, inferences, tempC, Source.MEASURED);
    }

    /** Whether energy and power were measured (false for a latency-only row). */
    public boolean hasEnergy() {
        return !Double.isNaN(energyJ) || !Double.isNaN(powerW);
    }

    /** Why this row cannot be used, or null when it can. */
    public String problem() {
        double[] values = {meanMs, p50Ms, p95Ms, p99Ms, energyJ, powerW, cov};
        String[] names = {"mean_ms", "p50_ms", "p95_ms", "p99_ms", "energy_j", "power_w", "cov"};
        for (int i = 0; i < values.length; i++) {
            if (!hasEnergy() && (i == 4 || i == 5)) {
                continue;
            }
            if (!Double.isFinite(values[i]) || values[i] < 0) {
                return names[i] + " is " + values[i] + " at " + point;
            }
        }
        if (!Double.isNaN(idleW) && !(idleW >= 0 && Double.isFinite(idleW))) {
            return "idle_w is " + idleW + " at " + point;
        }
        if (meanMs == 0 || energyJ == 0) {
            return "zero latency or energy at " + point;
        }
        if (point.cpuKHz() < 0 || point.gpuHz() < 0 || (point.emcHz() != null && point.emcHz() <= 0)) {
            return "negative frequency at " + point;
        }
        return null;
    }
}
