package io.joulegov.device.knobs;

import java.util.List;

/** Lookups in a domain's table of available frequencies (ascending, as discovery reads it). */
public final class FrequencyTable {

    private FrequencyTable() {
    }

    /** The highest table entry at or below {@code target} (the lowest one if none is). */
    public static long atOrBelow(List<Long> table, long target) {
        long best = table.get(0);
        for (long f : table) {
            if (f <= target) {
                best = f;
            }
        }
        return best;
    }
}
