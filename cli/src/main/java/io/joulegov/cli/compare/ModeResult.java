package io.joulegov.cli.compare;

import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Percentile;

/**
 * How one mode did: energy per inference (board energy over the whole run, idle gaps included, divided by the
 * inferences), latency statistics (ms), the share of inferences over the budget, the fixed point it held (null
 * for dvfs and adaptive), for adaptive the profile it ended with (what it was given or learned, with the rows it
 * learned on the board), and what it did second by second.
 */
public record ModeResult(Mode mode, double energyJPerInference, double meanMs, double p50Ms, double p95Ms, double p99Ms,
                         double missRate, long inferences, OperatingPoint point, ProfileTable learned, Trace trace) {

    /** The run's latency at {@code q} (ms). */
    public double latencyMs(Percentile q) {
        return switch (q) {
            case MEAN -> meanMs;
            case P50 -> p50Ms;
            case P95 -> p95Ms;
            case P99 -> p99Ms;
        };
    }
}
