package io.joulegov.profiler.measure;

import java.time.Duration;

/**
 * How one operating point is measured (the founding study's method): {@code inferences} timed per run, up to
 * {@code maxReruns} runs, stopping early once the 95% confidence half-width of energy per inference is under
 * {@code ciTarget} of its mean (never before {@code minReruns}); {@code warmup} untimed inferences after the clocks
 * change, {@code settle} allowed for them to take effect, and a pause while a thermal zone is within
 * {@code thermalMarginC} of its passive trip.
 */
public record MeasurementSettings(int inferences, int minReruns, int maxReruns, double ciTarget, int warmup,
                                  Duration settle, double thermalMarginC, Duration samplingPeriod) {

    public static MeasurementSettings study() {
        return new MeasurementSettings(3200, 3, 10, 0.02, 20, Duration.ofMillis(50), 5, Duration.ofMillis(100));
    }

    public MeasurementSettings {
        if (inferences < 1 || minReruns < 1 || maxReruns < minReruns || warmup < 0) {
            throw new IllegalArgumentException("inferences and reruns must be positive, with at least " + minReruns
                    + " reruns allowed");
        }
    }
}
