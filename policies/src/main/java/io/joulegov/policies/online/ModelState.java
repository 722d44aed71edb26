package io.joulegov.policies.online;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.select.Percentile;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One registered model: its candidate points (the Pareto frontier, fastest first), where it is on them, what it has
 * seen at each (corrections: observed over profiled latency) and its recent latencies and misses.
 */
final class ModelState {

    final String name;
    final List<Measurement> frontier;
    final double budgetMs;
    final Percentile percentile;
    final ControllerSettings settings;
    /** Observed over profiled latency per point, with when it was learned; older than this is forgotten. */
    static final long CORRECTION_LIFETIME = 30_000_000_000L;
    final Map<OperatingPoint, double[]> corrections = new HashMap<>();
    final double[] recent;
    final boolean[] missed;
    int index;
    int recentCount;
    int recentNext;
    int samplesHere;
    int streak;
    long enteredAt;
    long lastSeen = Long.MIN_VALUE;
    int missNext;
    int missCount;
    int missesInWindow;
    int blockedFrom = Integer.MAX_VALUE;
    long blockedUntil = Long.MIN_VALUE;

    ModelState(String name, List<Measurement> frontier, double budgetMs, Percentile percentile, int start,
               ControllerSettings settings) {
        this.name = name;
        this.frontier = frontier;
        this.budgetMs = budgetMs;
        this.percentile = percentile;
        this.settings = settings;
        // a tail percentile needs enough samples to be seen at all: 20 expected misses' worth
        double allowance = percentile.missAllowance();
        this.recent = new double[Double.isNaN(allowance) ? settings.window()
                : Math.max(settings.window(), (int) Math.ceil(20 / allowance))];
        this.missed = new boolean[settings.missWindow()];
        this.index = start;
    }

    Measurement current() {
        return frontier.get(index);
    }

    void record(double latencyMs) {
        recent[recentNext] = latencyMs;
        recentNext = (recentNext + 1) % recent.length;
        recentCount = Math.min(recentCount + 1, recent.length);
        samplesHere++;
        boolean miss = latencyMs > budgetMs;
        streak = miss ? streak + 1 : 0;
        if (missCount == missed.length && missed[missNext]) {
            missesInWindow--;
        }
        missed[missNext] = miss;
        if (miss) {
            missesInWindow++;
        }
        missNext = (missNext + 1) % missed.length;
        missCount = Math.min(missCount + 1, missed.length);
    }

    /** The observed latency at the budget's percentile over the recent window (mean for a mean budget). */
    double observed() {
        double[] copy = Arrays.copyOf(recentCount == recent.length ? recent : Arrays.copyOf(recent, recentCount), recentCount);
        if (percentile == Percentile.MEAN) {
            return Arrays.stream(copy).average().orElse(Double.NaN);
        }
        Arrays.sort(copy);
        return Percentile.ofSorted(copy, 1 - percentile.missAllowance());
    }

    /** Whether the recent window holds enough samples for its percentile to mean something (5 expected misses). */
    boolean percentileKnown() {
        double allowance = percentile.missAllowance();
        return Double.isNaN(allowance) ? recentCount >= settings.minSamples() : recentCount * allowance >= 5;
    }

    double mean() {
        double sum = 0;
        for (int i = 0; i < recentCount; i++) {
            sum += recent[i];
        }
        return recentCount == 0 ? Double.NaN : sum / recentCount;
    }

    double missRate() {
        return missCount == 0 ? 0 : (double) missesInWindow / missCount;
    }

    /** Whether enough inferences were seen for the miss rate to be compared with the allowance (5 expected misses). */
    boolean missRateKnown() {
        double allowance = percentile.missAllowance();
        return !Double.isNaN(allowance) && missCount * allowance >= 5;
    }

    /**
     * Remembers what the current point delivers now: observed over profiled latency, at the budget's percentile once
     * the window shows it, by the mean until then (the mean settles after a few samples, a tail takes hundreds).
     */
    double learn(long now) {
        double correction = percentileKnown() ? observed() / percentile.of(current())
                : mean() / current().meanMs();
        corrections.put(current().point(), new double[] {correction, now});
        return correction;
    }

    /**
     * Predicted latency at the percentile for candidate {@code i}: profiled, times the larger of what is seen at the
     * current point now and what was seen at {@code i} recently (a throttle that takes away the top clocks makes
     * those points slower than the rest).
     */
    double predicted(int i, double currentCorrection, long now) {
        Measurement m = frontier.get(i);
        double[] known = corrections.get(m.point());
        double correction = currentCorrection;
        if (known != null && now - (long) known[1] < CORRECTION_LIFETIME) {
            correction = Math.max(correction, known[0]);
        }
        return percentile.of(m) * correction;
    }

    void moveTo(int i, long now) {
        if (i != index) {
            index = i;
            samplesHere = 0;
            recentCount = 0;
            recentNext = 0;
            streak = 0;
            enteredAt = now;
        }
    }
}
