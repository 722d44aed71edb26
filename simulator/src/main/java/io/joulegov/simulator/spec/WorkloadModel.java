package io.joulegov.simulator.spec;

/**
 * One workload on one board. At the top clocks an inference takes {@code cpuMs + gpuMs + memMs + fixedMs}; each part
 * stretches with its own clock ({@code cpuMs x fmax/f} and so on; memory time with the EMC clock), so latency falls
 * monotonically with every clock.
 *
 * @param cpuSpin     share of CPU dynamic power drawn while it waits on the GPU and memory (CUDA sync spinning)
 * @param gpuActivity how hard the kernels drive the GPU (1 = its rated dynamic power)
 * @param cpuLoad     the CPU load schedutil sees at the top clocks while inference runs (spin-waiting counts)
 * @param gpuLoad     the GPU load nvhost_podgov sees at the top clocks (memory stalls count as busy)
 * @param inputShape  what the workload takes, for the profile key
 */
public record WorkloadModel(String name, double cpuMs, double gpuMs, double memMs, double fixedMs, double cpuSpin,
                            double gpuActivity, double cpuLoad, double gpuLoad, long[] inputShape) {

    @Override
    public String toString() {
        return name + java.util.Arrays.toString(new double[] {cpuMs, gpuMs, memMs, fixedMs, cpuSpin, gpuActivity, cpuLoad, gpuLoad})
                + java.util.Arrays.toString(inputShape);
    }

    public double topClockMs() {
        return cpuMs + gpuMs + memMs + fixedMs;
    }
}
