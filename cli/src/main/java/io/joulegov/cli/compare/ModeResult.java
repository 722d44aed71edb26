package io.joulegov.cli.compare;

import io.joulegov.policies.profile.OperatingPoint;

/**
 * How one mode did: energy per inference (board energy over the whole run, idle gaps included, divided by the
 * inferences), latency statistics (ms), the share of inferences over the budget, and the fixed point it held (null
 * for dvfs and adaptive).
 */
public record ModeResult(Mode mode, double energyJPerInference, double meanMs, double p95Ms, double p99Ms,
                         double missRate, long inferences, OperatingPoint point) {
}
