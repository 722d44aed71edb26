package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.select.Percentile;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One registered model: its candidate points (every profiled point, and the Pareto frontier among them, fastest
 * first), the point it holds, what it has seen at each (latency corrections: observed over profiled; the energy
 * measured, as a correction over the grid) and its recent latencies and misses.
 */
final class ModelState {

    final String name;
    final Map<OperatingPoint, Measurement> candidates = new LinkedHashMap<>();
    final List<Measurement> frontier;
    final PointCorrection energy;
    final double budgetMs;
    final Percentile percentile;
    final ControllerSettings settings;
    /** Observed over profiled latency per point, with when it was learned; older than this is forgotten. */
    static final long CORRECTION_LIFETIME = 30_000_000_000L;
    final Map<OperatingPoint, double[]> corrections = new HashMap<>();
    final double[] recent;
    final boolean[] missed;
    Measurement current;
    int recentCount;
    int recentNext;
    int samplesHere;
    int streak;
    long enteredAt;
    long lastSeen = Long.MIN_VALUE;
    int missNext;
    int missCount;
    int missesInWindow;
    /** After a point failed: points at least this slow (profiled, ms) are barred until {@link #blockedUntil}. */
    double blockedAtMs = Double.POSITIVE_INFINITY;
    long blockedUntil = Long.MIN_VALUE;
    long registeredAt;
    /** Whether the point held was chosen to learn its energy rather than because it is believed cheapest. */
    boolean exploring;
    long exploringNanos;
    long nextChoiceAt = Long.MIN_VALUE;

    ModelState(String name, List<Measurement> rows, List<Measurement> frontier, double budgetMs, Percentile percentile,
               Measurement start, ControllerSettings settings) {
        this.name = name;
        rows.forEach(m -> candidates.put(m.point(), m));
        this.frontier = frontier;
        this.energy = new PointCorrection(List.copyOf(candidates.keySet()), rows.stream().filter(Measurement::predicted)
                .map(Measurement::point).collect(Collectors.toSet()), PointCorrection.Settings.defaults());
        this.budgetMs = budgetMs;
        this.percentile = percentile;
        this.settings = settings;
        // a tail percentile needs enough samples to be seen at all: 20 expected misses' worth
        double allowance = percentile.missAllowance();
        this.recent = new double[Double.isNaN(allowance) ? settings.window()
                : Math.max(settings.window(), (int) Math.ceil(20 / allowance))];
        this.missed = new boolean[settings.missWindow()];
        this.current = start;
    }

    Measurement current() {
        return current;
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
     * Predicted latency at the percentile for candidate {@code m}: profiled, times the larger of what is seen at the
     * current point now and what was seen at {@code m} recently (a throttle that takes away the top clocks makes
     * those points slower than the rest).
     */
    double predicted(Measurement m, double currentCorrection, long now) {
        double[] known = corrections.get(m.point());
        double correction = currentCorrection;
        if (known != null && now - (long) known[1] < CORRECTION_LIFETIME) {
            correction = Math.max(correction, known[0]);
        }
        return percentile.of(m) * correction;
    }

    /** Energy per inference at {@code m} as measured so far (the profile's, corrected), and its uncertainty. */
    PointCorrection.Estimate energyAt(Measurement m, long now) {
        return energy.at(m.point(), now);
    }

    boolean barred(Measurement m, long now) {
        return now < blockedUntil && percentile.of(m) >= blockedAtMs;
    }

    /** Ends a try: the time at the point tried counts as exploration. */
    void settle(long now) {
        if (exploring) {
            exploringNanos += now - enteredAt;
            exploring = false;
        }
    }

    void moveTo(Measurement m, long now, boolean explore) {
        if (!m.equals(current)) {
            settle(now);
            exploring = explore;
            current = m;
            samplesHere = 0;
            recentCount = 0;
            recentNext = 0;
            streak = 0;
            // misses are counted per point: the ones that made it leave must not push it on from the next
            missNext = 0;
            missCount = 0;
            missesInWindow = 0;
            enteredAt = now;
        }
    }
}
