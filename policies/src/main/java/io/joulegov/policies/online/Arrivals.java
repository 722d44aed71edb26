package io.joulegov.policies.online;

/**
 * How a model's requests come: the mean time between the ends of its inferences and the share of that time spent
 * inferring, followed over the last {@code horizonNanos} or so (older windows fade). Requests served back to back
 * (the next sent as the last returns) leave the board no gap; requests that come at their own pace (a camera's
 * frames) leave it idle at the point held between them, for as long as the point is faster than they come. The pace
 * is known after a few requests (a window closes after {@link #REQUESTS} of them, or a tenth of the horizon), before
 * the first energy is measured. A pause longer than the controller's idle delay restarts the window: the board is at
 * its idle setting then, not at the point. Pure arithmetic on the times it is told.
 */
final class Arrivals {

    /** Requests that close a window. */
    static final int REQUESTS = 10;

    private final long horizonNanos;
    private final long pauseNanos;
    private final double backToBack;
    private long windowStart;
    private long lastEnd = Long.MIN_VALUE;
    private int count;
    private double busyNanos;
    /** Faded sums over every gap between ends, pauses included: time and requests (the rate of a mix's member). */
    private double allElapsed;
    private double allCount;
    /** Faded sums over the closed windows: time, requests, time inferring. */
    private double elapsedSum;
    private double countSum;
    private double busySum;

    /**
     * The pace over about {@code horizonNanos}; a pause of {@code pauseNanos} restarts a window; a busy share of at
     * least {@code backToBack} counts as requests served back to back.
     */
    Arrivals(long horizonNanos, long pauseNanos, double backToBack) {
        this.horizonNanos = horizonNanos;
        this.pauseNanos = pauseNanos;
        this.backToBack = backToBack;
    }

    /** An inference of {@code latencyMs} ended at {@code now}. */
    void ended(long now, double latencyMs) {
        if (lastEnd != Long.MIN_VALUE && now > lastEnd) {
            double fade = Math.exp(-(now - lastEnd) / (double) horizonNanos);
            allElapsed = allElapsed * fade + (now - lastEnd);
            allCount = allCount * fade + 1;
        }
        if (lastEnd == Long.MIN_VALUE || now - lastEnd > pauseNanos) {
            windowStart = now;
            count = 0;
            busyNanos = 0;
        } else {
            count++;
            busyNanos += latencyMs * 1e6;
            long elapsed = now - windowStart;
            if (count >= REQUESTS || elapsed >= horizonNanos / 10) {
                double fade = Math.exp(-elapsed / (double) horizonNanos);
                elapsedSum = elapsedSum * fade + elapsed;
                countSum = countSum * fade + count;
                busySum = busySum * fade + Math.min(elapsed, busyNanos);
                windowStart = now;
                count = 0;
                busyNanos = 0;
            }
        }
        lastEnd = Math.max(lastEnd, now); // inferences that ran side by side may be told out of order
    }

    /** Whether a window has closed: the pace is known. */
    boolean known() {
        return countSum > 0;
    }

    /** Requests per second over about the horizon, pauses included; NaN until the pace is known. */
    double ratePerS() {
        return known() && allElapsed > 0 ? allCount / (allElapsed / 1e9) : Double.NaN;
    }

    /** Whether requests leave gaps: their pace is known and they do not come back to back. */
    boolean gaps() {
        return known() && elapsedSum > 0 && busySum / elapsedSum < backToBack;
    }

    /**
     * Seconds the board idles at a point per inference, the point's mean latency being {@code latencyMs}: none while
     * requests come back to back or before their pace is known, else the time between requests the point leaves.
     */
    double idleSeconds(double latencyMs) {
        if (!gaps()) {
            return 0;
        }
        return Math.max(0, elapsedSum / countSum / 1e9 - latencyMs / 1e3);
    }
}
