package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;

/**
 * Every tunable of the online controller, in one place (docs/DESIGN.md, "Learning the board"). Start from
 * {@link #defaults()} and change what a variation needs with a {@code withX} method (the ones tests use), e.g.
 * {@code ControllerSettings.defaults().withRetryNanos(5_000_000_000L)}.
 * The fields come in groups: observing latency ({@code window} to {@code missStreak}), choosing a point
 * ({@code minDwellNanos} to {@code exploreShare}), learning the board ({@code energyCorrection} to
 * {@code minWorkAtChange}) and learning without a profile ({@code energyWaitNanos} on).
 *
 * @param window           recent inferences per model from which the observed percentile is estimated (more for a
 *                         tail percentile: 20 expected misses' worth)
 * @param missWindow       inferences over which the miss rate is held within the budget's allowance
 * @param minSamples       inferences at a point before its latency is trusted
 * @param missStreak       this many misses in a row step to a faster point at once
 * @param minDwellNanos    time at a point before stepping to a cheaper one (faster steps are immediate)
 * @param margin           headroom kept below the budget when choosing a point (0.05: aim at 95% of the budget)
 * @param hysteresis       extra headroom the observed percentile must show before stepping to a cheaper point
 * @param idleNanos        no inference for this long and the board may go to its idle setting
 * @param chooseEveryNanos how often a settled model reconsiders its point
 * @param minGain          a point must promise at least this much less energy before the controller moves to it
 * @param exploreSds       how many standard deviations an energy estimate may be optimistic when choosing a point to
 *                         try, and a latency prediction must be pessimistic for a point to be tried or stepped to
 *                         under threat
 * @param minExploreGain   a point is tried only when its optimistic energy is at least this much below the best
 *                         estimate
 * @param exploreShare     the share of the time spent at points tried to learn them, after an allowance of two dwells
 * @param energyCorrection  the prior and noise of the energy correction (a profile from another unit)
 * @param latencyCorrection the prior and noise of the latency correction: every {@code minSamples} inferences at a
 *                          point give one measurement of its mean (2% jitter over 20 samples), and the drift follows
 *                          the point held within a few seconds, so that a slower phase of the whole board is not
 *                          taken for a slow point
 * @param minWork           inferences summed before one measurement of energy per inference is told to the controller
 *                          (the governor core's ratio of sums), and the energy a point of the walk needs
 * @param minWorkAtChange   fewer inferences than this at a point that is left are not worth an energy measurement
 * @param energyWaitNanos   energy per inference is awaited at a point of the walk at most this long (a caller that
 *                          measures no energy)
 * @param stepsPerAxis      each clock axis is walked in at least this many steps, so that the line holds enough
 *                          points for the models
 * @param retryNanos        a budget that even the fastest point missed is measured again after this long (fresh
 *                          samples), as the cause may have ended (a throttle)
 * @param tailSamplesKept   latencies kept at the fastest point for its tail (at least what the percentile needs: 5
 *                          expected misses); every other point keeps only their sum and count
 * @param walkReportNanos   while a model is walked, its reports are asked for at least this often (0: at the
 *                          application's pace): each step waits for its samples, and a 100 ms batch would hold every
 *                          step up to 100 ms at the dearer point
 * @param arrivalWindowNanos a model's pace of requests is followed over about this long
 * @param backToBack        a busy share of at least this counts as requests served back to back (no idle gap)
 * @param jointMix          several governed models active at once are governed as one mix ({@code MixState}): the
 *                          point of least board power that keeps every member's budget, learned in the mix; false
 *                          holds, per clock, the highest of each one's own choice
 * @param mixNanos          governed models that each ran within this long are a mix (longer than {@code idleNanos}:
 *                          a camera's frames come seconds apart at worst)
 * @param mixEnergyNanos    board energy is summed over this long at one point of a mix before it teaches its power
 */
public record ControllerSettings(int window, int missWindow, int minSamples, int missStreak,
                                 long minDwellNanos, double margin, double hysteresis, long idleNanos,
                                 long chooseEveryNanos, double minGain, double exploreSds, double minExploreGain,
                                 double exploreShare,
                                 PointCorrection.Settings energyCorrection, PointCorrection.Settings latencyCorrection,
                                 double minWork, double minWorkAtChange,
                                 long energyWaitNanos, int stepsPerAxis, long retryNanos, int tailSamplesKept,
                                 long walkReportNanos, long arrivalWindowNanos, double backToBack,
                                 boolean jointMix, long mixNanos, long mixEnergyNanos) {

    public ControllerSettings {
        if (window < 1 || missWindow < 1 || minSamples < 1 || missStreak < 1 || stepsPerAxis < 1 || tailSamplesKept < 1) {
            throw new IllegalArgumentException("windows, sample counts and steps must be positive");
        }
        if (minDwellNanos < 0 || idleNanos < 0 || chooseEveryNanos < 0 || energyWaitNanos < 0 || retryNanos < 0
                || walkReportNanos < 0 || arrivalWindowNanos <= 0 || mixNanos < 0 || mixEnergyNanos <= 0) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (!(backToBack > 0 && backToBack <= 1)) {
            throw new IllegalArgumentException("backToBack is a busy share in (0, 1], not " + backToBack);
        }
        if (energyCorrection == null || latencyCorrection == null) {
            throw new IllegalArgumentException("both corrections need settings");
        }
    }

    /** The values the controller was designed and tested with (docs/DESIGN.md); the demo's figures depend on them. */
    public static ControllerSettings defaults() {
        return new ControllerSettings(
                100,                   // window
                1000,                  // missWindow
                20,                    // minSamples
                3,                     // missStreak
                2_000_000_000L,        // minDwellNanos
                0.05,                  // margin
                0.05,                  // hysteresis
                500_000_000L,          // idleNanos
                250_000_000L,          // chooseEveryNanos
                0.01,                  // minGain
                1.0,                   // exploreSds
                0.02,                  // minExploreGain
                0.10,                  // exploreShare
                PointCorrection.Settings.defaults(), // energyCorrection
                new PointCorrection.Settings(0.15, 0.05, 0.02, 0.03, 0.01, 600_000_000_000L, 3_000_000_000L), // latency
                20,                    // minWork
                5,                     // minWorkAtChange
                10_000_000_000L,       // energyWaitNanos
                3,                     // stepsPerAxis
                30_000_000_000L,       // retryNanos
                4096,                  // tailSamplesKept
                10_000_000L,           // walkReportNanos
                10_000_000_000L,       // arrivalWindowNanos
                0.9,                   // backToBack
                true,                  // jointMix
                2_000_000_000L,        // mixNanos
                5_000_000_000L);       // mixEnergyNanos
    }

    public ControllerSettings withMinSamples(int v) {
        return new ControllerSettings(window, missWindow, v, missStreak, minDwellNanos, margin, hysteresis,
                idleNanos, chooseEveryNanos, minGain, exploreSds, minExploreGain, exploreShare, energyCorrection,
                latencyCorrection, minWork, minWorkAtChange, energyWaitNanos, stepsPerAxis, retryNanos, tailSamplesKept,
                walkReportNanos, arrivalWindowNanos, backToBack, jointMix, mixNanos, mixEnergyNanos);
    }

    public ControllerSettings withMargin(double v) {
        return new ControllerSettings(window, missWindow, minSamples, missStreak, minDwellNanos, v, hysteresis,
                idleNanos, chooseEveryNanos, minGain, exploreSds, minExploreGain, exploreShare, energyCorrection,
                latencyCorrection, minWork, minWorkAtChange, energyWaitNanos, stepsPerAxis, retryNanos, tailSamplesKept,
                walkReportNanos, arrivalWindowNanos, backToBack, jointMix, mixNanos, mixEnergyNanos);
    }

    public ControllerSettings withRetryNanos(long v) {
        return new ControllerSettings(window, missWindow, minSamples, missStreak, minDwellNanos, margin, hysteresis,
                idleNanos, chooseEveryNanos, minGain, exploreSds, minExploreGain, exploreShare, energyCorrection,
                latencyCorrection, minWork, minWorkAtChange, energyWaitNanos, stepsPerAxis, v, tailSamplesKept,
                walkReportNanos, arrivalWindowNanos, backToBack, jointMix, mixNanos, mixEnergyNanos);
    }

    /** As these, with several models held at the per-clock maximum of their own choices (the rule before mixes). */
    public ControllerSettings withMaxOfSingles() {
        return new ControllerSettings(window, missWindow, minSamples, missStreak, minDwellNanos, margin, hysteresis,
                idleNanos, chooseEveryNanos, minGain, exploreSds, minExploreGain, exploreShare, energyCorrection,
                latencyCorrection, minWork, minWorkAtChange, energyWaitNanos, stepsPerAxis, retryNanos, tailSamplesKept,
                walkReportNanos, arrivalWindowNanos, backToBack, false, mixNanos, mixEnergyNanos);
    }
}
