package io.joulegov.policies.select;

import io.joulegov.policies.profile.Measurement;

import java.util.Locale;

/**
 * Where a latency budget applies. A budget B at percentile q is a deadline per inference that at least a share q of
 * inferences meets: the miss rate may be at most 1 - q. {@link #MEAN} bounds the mean latency instead.
 */
public enum Percentile {
    MEAN(Double.NaN), P50(0.50), P95(0.95), P99(0.99);

    private final double quantile;

    Percentile(double quantile) {
        this.quantile = quantile;
    }

    /** The latency (ms) of a measurement at this percentile. */
    public double of(Measurement m) {
        return switch (this) {
            case MEAN -> m.meanMs();
            case P50 -> m.p50Ms();
            case P95 -> m.p95Ms();
            case P99 -> m.p99Ms();
        };
    }

    /** The share of inferences that may miss the deadline (NaN for the mean, which bounds no single inference). */
    public double missAllowance() {
        return Double.isNaN(quantile) ? Double.NaN : 1 - quantile;
    }

    /** The nearest-rank {@code q}-quantile of sorted values (NaN for none): the one every percentile here uses. */
    public static double ofSorted(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(q * sorted.length) - 1))];
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Percentile parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown percentile '" + text + "' (mean, p50, p95, p99)");
        }
    }
}
