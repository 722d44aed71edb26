package io.joulegov.policies.online;

import io.joulegov.policies.select.Percentile;
import org.apache.commons.math3.distribution.BinomialDistribution;

import java.util.Arrays;

/**
 * A model's latencies at the point held, against its budget: the recent ones (a ring, enough for the percentile),
 * its misses (over {@code missWindow} inferences) and misses in a row. Bounded whatever the rate; cleared when the
 * point changes, so that what made it leave does not push it on from the next.
 */
final class LatencyWindow {

    private final double budgetMs;
    private final Percentile percentile;
    private final int minSamples;
    private final int missStreak;
    private final double[] recent;
    private final boolean[] missed;
    private int recentCount;
    private int recentNext;
    private int samplesHere;
    private int streak;
    private int missNext;
    private int missCount;
    private int missesInWindow;

    /** At least {@code window} recent latencies, more for a tail percentile: 20 expected misses' worth. */
    LatencyWindow(double budgetMs, Percentile percentile, ControllerSettings settings) {
        this.budgetMs = budgetMs;
        this.percentile = percentile;
        this.minSamples = settings.minSamples();
        this.missStreak = settings.missStreak();
        double allowance = percentile.missAllowance();
        this.recent = new double[Double.isNaN(allowance) ? settings.window()
                : Math.max(settings.window(), (int) Math.ceil(20 / allowance))];
        this.missed = new boolean[settings.missWindow()];
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

    /** Forgets the point left: latencies, misses and the streak. */
    void clear() {
        samplesHere = 0;
        recentCount = 0;
        recentNext = 0;
        streak = 0;
        missNext = 0;
        missCount = 0;
        missesInWindow = 0;
    }

    /** Inferences recorded since the last {@link #clear}. */
    int samplesHere() {
        return samplesHere;
    }

    /** Whether enough was seen at the point to judge it: {@code minSamples} inferences, or misses in a row. */
    boolean judged() {
        return samplesHere >= minSamples || streak >= missStreak;
    }

    /**
     * Whether the budget is threatened at the point: misses in a row, misses more often than the allowance
     * ({@link #missingTooOften}), or the observed percentile past the budget; false until the point can be judged.
     */
    boolean threatened() {
        return judged() && (streak >= missStreak || missingTooOften() || (percentileKnown() && observed() > budgetMs));
    }

    /** Latencies held. */
    int kept() {
        return recentCount;
    }

    /** The observed latency at the budget's percentile over the recent window (mean for a mean budget). */
    double observed() {
        double[] copy = Arrays.copyOf(recent, recentCount);
        if (percentile == Percentile.MEAN) {
            return Arrays.stream(copy).average().orElse(Double.NaN);
        }
        Arrays.sort(copy);
        return Percentile.ofSorted(copy, 1 - percentile.missAllowance());
    }

    /** Whether the recent window holds enough samples for its percentile to mean something (5 expected misses). */
    boolean percentileKnown() {
        double allowance = percentile.missAllowance();
        return Double.isNaN(allowance) ? recentCount >= minSamples : recentCount * allowance >= 5;
    }

    double mean() {
        double sum = 0;
        for (int i = 0; i < recentCount; i++) {
            sum += recent[i];
        }
        return recentCount == 0 ? Double.NaN : sum / recentCount;
    }

    /** The mean of the last {@code n} latencies (fewer when fewer are held). */
    double meanOfLast(int n) {
        int k = Math.min(n, recentCount);
        double sum = 0;
        for (int i = 1; i <= k; i++) {
            sum += recent[(recentNext - i + recent.length) % recent.length];
        }
        return sum / k;
    }

    /**
     * Whether the point misses more often than the allowance: the misses seen at it would happen by chance less than
     * 1% of the time if it kept the allowance (a binomial test). A point missing 3% against a 1% allowance is caught
     * in about 150 inferences instead of the 500 it takes to observe a p99.
     */
    boolean missingTooOften() {
        double allowance = percentile.missAllowance();
        if (Double.isNaN(allowance) || missesInWindow == 0 || (double) missesInWindow / missCount <= allowance) {
            return false;
        }
        double chance = 1 - new BinomialDistribution(null, missCount, allowance).cumulativeProbability(missesInWindow - 1);
        return chance < 0.01;
    }
}
