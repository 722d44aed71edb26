package io.joulegov.profiler.measure;

import io.joulegov.policies.select.Percentile;

import java.util.Arrays;

/** Mean and nearest-rank percentiles of timed inferences, in ms. */
record LatencySummary(double meanMs, double p50Ms, double p95Ms, double p99Ms) {

    static LatencySummary of(double[] latencies, int count) {
        double[] sorted = Arrays.copyOf(latencies, count);
        Arrays.sort(sorted);
        return new LatencySummary(Arrays.stream(sorted).average().orElseThrow(), Percentile.ofSorted(sorted, 0.50),
                Percentile.ofSorted(sorted, 0.95), Percentile.ofSorted(sorted, 0.99));
    }
}
