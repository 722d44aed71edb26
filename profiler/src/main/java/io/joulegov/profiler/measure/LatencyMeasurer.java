package io.joulegov.profiler.measure;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.profiler.workload.InferenceSource;

/**
 * Times a workload at whatever clocks the host runs: the profile of a machine without frequency knobs or power
 * sensors. Every run is done (no energy to settle on), and the row says its energy is unknown.
 */
public final class LatencyMeasurer {

    private final MeasurementSettings settings;

    public LatencyMeasurer(MeasurementSettings settings) {
        this.settings = settings;
    }

    public Measurement measure(InferenceSource source, OperatingPoint current) throws Exception {
        source.skip(settings.warmup());
        double[] latencies = source.time(settings.inferences() * settings.maxReruns(), () -> { });
        LatencySummary s = LatencySummary.of(latencies, latencies.length);
        return Measurement.ofLatency(current, s.meanMs(), s.p50Ms(), s.p95Ms(), s.p99Ms(), latencies.length, null);
    }
}
