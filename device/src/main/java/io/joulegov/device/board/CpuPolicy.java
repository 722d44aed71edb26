package io.joulegov.device.board;

import java.nio.file.Path;
import java.util.List;

/** A cpufreq policy: the CPUs that share one clock, with its governors and frequency table (kHz, ascending). */
public record CpuPolicy(String name, Path dir, List<Integer> cpus, String governor, List<String> governors,
                        List<Long> frequenciesKHz, long minKHz, long maxKHz, boolean hasSetspeed) {

    public CpuPolicy {
        cpus = List.copyOf(cpus);
        governors = List.copyOf(governors);
        frequenciesKHz = List.copyOf(frequenciesKHz);
    }
}
