package io.joulegov.policies.profile;

import java.util.List;

/**
 * What a profile is valid for: the board (kind, L4T release, power mode, and the serial number of the unit it was
 * measured on, null where unknown: profiles are filed per kind, a unit's profile serves every unit), the grids that were swept, the model
 * (name, hash of its weights or spec, batch, input shape, engine and thread settings), the method (inferences per
 * run, reruns, sampling period) and where the numbers come from ({@code measured}, {@code virtual} or
 * {@code imported}). Two profiles with equal keys measure the same thing.
 */
public record ProfileKey(String board, String l4t, Integer powerMode, String serial, List<Long> cpuGridKHz, List<Long> gpuGridHz,
                         List<Long> emcGridHz, String model, String modelHash, int batch, List<Long> inputShape,
                         String engine, int intraOpThreads, int interOpThreads, int inferences, int reruns,
                         int samplingMs, String source) {

    public static final String MEASURED = "measured";
    public static final String VIRTUAL = "virtual";
    public static final String IMPORTED = "imported";

    public ProfileKey {
        cpuGridKHz = List.copyOf(cpuGridKHz);
        gpuGridHz = List.copyOf(gpuGridHz);
        emcGridHz = List.copyOf(emcGridHz);
        inputShape = List.copyOf(inputShape);
    }
}
