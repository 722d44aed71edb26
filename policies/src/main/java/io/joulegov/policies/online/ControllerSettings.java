package io.joulegov.policies.online;

/**
 * The online controller's knobs.
 *
 * @param window        recent inferences per model from which the observed percentile is estimated
 * @param missWindow    inferences over which the miss rate is held within the budget's allowance
 * @param minSamples    inferences at a point before its latency is trusted
 * @param minDwellNanos time at a point before stepping to a cheaper one (faster steps are immediate)
 * @param margin        headroom kept below the budget when choosing a point (0.05: aim at 95% of the budget)
 * @param hysteresis    extra headroom the observed percentile must show before stepping to a cheaper point
 * @param idleNanos     no inference for this long and the board may go to its idle setting
 * @param missStreak    this many misses in a row step to a faster point at once
 */
public record ControllerSettings(int window, int missWindow, int minSamples, long minDwellNanos, double margin,
                                 double hysteresis, long idleNanos, int missStreak) {

    public static ControllerSettings defaults() {
        return new ControllerSettings(100, 1000, 20, 2_000_000_000L, 0.05, 0.05, 500_000_000L, 3);
    }
}
