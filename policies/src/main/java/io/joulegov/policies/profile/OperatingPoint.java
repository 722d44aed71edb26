package io.joulegov.policies.profile;

import java.util.Comparator;

/**
 * Clocks to hold: one CPU frequency for every cpufreq policy (kHz), the GPU (Hz) and, where the memory clock is a
 * third axis, the EMC (Hz; null when the EMC is left to the kernel). Ordered by CPU, GPU, then EMC.
 */
public record OperatingPoint(long cpuKHz, long gpuHz, Long emcHz) implements Comparable<OperatingPoint> {

    private static final Comparator<OperatingPoint> ORDER = Comparator.comparingLong(OperatingPoint::cpuKHz)
            .thenComparingLong(OperatingPoint::gpuHz)
            .thenComparing(p -> p.emcHz() == null ? -1L : p.emcHz());

    public static OperatingPoint of(long cpuKHz, long gpuHz) {
        return new OperatingPoint(cpuKHz, gpuHz, null);
    }

    @Override
    public int compareTo(OperatingPoint o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return String.format("CPU %.1f MHz, GPU %.1f MHz%s", cpuKHz / 1e3, gpuHz / 1e6,
                emcHz == null ? "" : String.format(", EMC %.0f MHz", emcHz / 1e6));
    }
}
