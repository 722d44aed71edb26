package io.joulegov.simulator.board;

import io.joulegov.simulator.spec.WorkloadModel;

/**
 * One inference's time at given clocks, part by part (ms): the CPU's part stretches as the CPU slows (and under a
 * co-runner), the GPU's as the GPU does, memory's as the EMC does, and the workload's fixed part does not. The loads
 * the default governors see and the activity the power model charges follow from the parts.
 */
record InferenceTime(WorkloadModel w, double cpuMs, double gpuMs, double memMs) {

    /**
     * At a mean CPU clock, a GPU clock and an EMC rate (against their tops); {@code contention} stretches the CPU's
     * part, and co-running workloads each part by {@code stretch}.
     */
    static InferenceTime at(WorkloadModel w, double cpuMHz, double cpuTopMHz, double gpuMHz, double gpuTopMHz, long emcHz,
                            long emcTopHz, double contention, CoRunners.Stretch stretch) {
        return new InferenceTime(w, w.cpuMs() * cpuTopMHz / cpuMHz * contention * stretch.cpu(),
                w.gpuMs() * gpuTopMHz / gpuMHz * stretch.gpu(), w.memMs() * emcTopHz / (double) emcHz * stretch.mem());
    }

    double totalMs() {
        return cpuMs + gpuMs + memMs + w.fixedMs();
    }

    /**
     * The load the CPU's governor sees: its own part, plus a share of the rest fixed by the load it shows at the top
     * clocks; slower clocks stretch its own part, and its load with it.
     */
    double cpuLoad() {
        return load(cpuMs, w.cpuMs(), w.cpuLoad());
    }

    /** The load the GPU's governor sees, as {@link #cpuLoad()}. */
    double gpuLoad() {
        return load(gpuMs, w.gpuMs(), w.gpuLoad());
    }

    /** The CPU's activity over the inference: its own part, and the spinning that waits for the GPU and memory. */
    double cpuActivity() {
        return (cpuMs + w.cpuSpin() * (gpuMs + memMs)) / totalMs();
    }

    double gpuActivity() {
        return w.gpuActivity() * gpuMs / totalMs();
    }

    private double load(double own, double ownTop, double topLoad) {
        double totalTop = w.topClockMs();
        double rest = Math.max(0, Math.min(1, (topLoad * totalTop - ownTop) / (totalTop - ownTop)));
        double total = totalMs();
        return (own + rest * (total - own)) / total;
    }
}
