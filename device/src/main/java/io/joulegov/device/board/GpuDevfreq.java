package io.joulegov.device.board;

import java.nio.file.Path;
import java.util.List;

/**
 * The GPU's devfreq node ({@code dir}, holding governor, min_freq, max_freq, ...) and its device directory
 * ({@code deviceDir}, holding {@code load} in per-mille). Frequencies in Hz, ascending.
 */
public record GpuDevfreq(String name, Path dir, Path deviceDir, String governor, List<String> governors,
                         List<Long> frequenciesHz, long minHz, long maxHz) {

    public GpuDevfreq {
        governors = List.copyOf(governors);
        frequenciesHz = List.copyOf(frequenciesHz);
    }

    public Path loadFile() {
        return deviceDir.resolve("load");
    }
}
