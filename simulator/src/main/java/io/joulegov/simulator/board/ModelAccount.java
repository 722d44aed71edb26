package io.joulegov.simulator.board;

/** The model's own account of a run, what an ideal meter would read: energy, time at the top clocks, inferences. */
final class ModelAccount {

    private double energyJoules;
    private double topCpuNanos;
    private double topGpuNanos;
    private double accountedNanos;
    private long inferences;

    /** {@code dt} of board time, {@code busyPart} of it inferring at {@code busyWatts}, the rest at {@code idleWatts}. */
    void add(long dt, long busyPart, double busyWatts, double idleWatts, boolean cpuAtTop, boolean gpuAtTop) {
        energyJoules += (busyWatts * busyPart + idleWatts * (dt - busyPart)) * 1e-9;
        accountedNanos += dt;
        if (cpuAtTop) {
            topCpuNanos += dt;
        }
        if (gpuAtTop) {
            topGpuNanos += dt;
        }
    }

    void inference() {
        inferences++;
    }

    double energyJoules() {
        return energyJoules;
    }

    double topCpuShare() {
        return accountedNanos == 0 ? 0 : topCpuNanos / accountedNanos;
    }

    double topGpuShare() {
        return accountedNanos == 0 ? 0 : topGpuNanos / accountedNanos;
    }

    long inferences() {
        return inferences;
    }
}
