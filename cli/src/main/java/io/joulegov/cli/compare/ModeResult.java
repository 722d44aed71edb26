package io.joulegov.cli.compare;

import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;

/**
 * How one mode did: energy per inference (board energy over the whole run, idle gaps included, divided by the
 * inferences), latency statistics (ms), the share of inferences over the budget, the fixed point it held (null
 * for dvfs and adaptive), and for adaptive the profile it ended with (what it was given or learned, with the rows it
 * learned on the board).
 */
public record ModeResult(Mode mode, double energyJPerInference, double meanMs, double p95Ms, double p99Ms,
                         double missRate, long inferences, OperatingPoint point, ProfileTable learned) {
}
