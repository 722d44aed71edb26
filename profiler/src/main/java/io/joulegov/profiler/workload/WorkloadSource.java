package io.joulegov.profiler.workload;

import io.joulegov.device.clock.Clock;

/** A workload run in this process, one inference after another, each timed on the profiler's clock. */
public final class WorkloadSource implements InferenceSource {

    private final Workload workload;
    private final Clock clock;

    public WorkloadSource(Workload workload, Clock clock) {
        this.workload = workload;
        this.clock = clock;
    }

    @Override
    public WorkloadInfo info() {
        return workload.info();
    }

    @Override
    public void skip(int n) throws Exception {
        workload.warmUp(n);
    }

    @Override
    public double[] time(int n, Runnable windowEnd) throws Exception {
        double[] latencies = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = clock.nanoTime();
            workload.runOnce();
            latencies[i] = (clock.nanoTime() - t0) / 1e6;
            if (Thread.interrupted()) {
                throw new InterruptedException("profiling stopped"); // Ctrl-C or SIGTERM: stop within an inference
            }
        }
        windowEnd.run();
        return latencies;
    }
}
