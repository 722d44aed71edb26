package io.joulegov.profiler.measure;

import io.joulegov.device.clock.Clock;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.profiler.workload.Workload;

/**
 * Times a workload at whatever clocks the host runs: the profile of a machine without frequency knobs or power
 * sensors. Every run is done (no energy to settle on), and the row says its energy is unknown.
 */
public final class LatencyMeasurer {

    private final Clock clock;
    private final MeasurementSettings settings;

    public LatencyMeasurer(Clock clock, MeasurementSettings settings) {
        this.clock = clock;
        this.settings = settings;
    }

    public Measurement measure(Workload workload, OperatingPoint current) throws Exception {
        workload.warmUp(settings.warmup());
        int count = settings.inferences() * settings.maxReruns();
        double[] latencies = new double[count];
        for (int i = 0; i < count; i++) {
            long t0 = clock.nanoTime();
            workload.runOnce();
            latencies[i] = (clock.nanoTime() - t0) / 1e6;
        }
        LatencySummary s = LatencySummary.of(latencies, count);
        return Measurement.ofLatency(current, s.meanMs(), s.p50Ms(), s.p95Ms(), s.p99Ms(), count, null);
    }
}
