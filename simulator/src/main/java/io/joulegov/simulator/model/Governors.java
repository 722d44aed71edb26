package io.joulegov.simulator.model;

import io.joulegov.device.knobs.FrequencyTable;

import java.util.List;

/**
 * The kernel's default governors as the virtual board emulates them: they pick a clock from the load they see,
 * within the min/max limits in the files.
 */
public final class Governors {

    /** schedutil's margin: it aims at 80% utilisation (next = 1.25 x util x current frequency). */
    static final double SCHEDUTIL_MARGIN = 1.25;
    /** nvhost_podgov (L4T defaults): target load 700 per-mille, jump to the top above 900. */
    static final double PODGOV_TARGET = 0.70;
    static final double PODGOV_MAX = 0.90;

    private Governors() {
    }

    /** schedutil: the lowest table frequency at or above 1.25 x busy share x current frequency. */
    public static long schedutil(List<Long> table, long currentKHz, double busyShare) {
        return atOrAbove(table, SCHEDUTIL_MARGIN * busyShare * currentKHz);
    }

    /** nvhost_podgov: the top clock above 90% load, else the clock that would bring the load to 70%. */
    public static long podgov(List<Long> table, long currentHz, double load) {
        if (load >= PODGOV_MAX) {
            return table.get(table.size() - 1);
        }
        return atOrAbove(table, currentHz * load / PODGOV_TARGET);
    }

    /**
     * The clock a domain runs at: what its governor wants, kept within the min/max limits in the files (a min above
     * the max counts as the max), rounded down to a table entry, and no higher than the thermal cap.
     */
    public static long within(List<Long> table, long want, long min, long max, long cap) {
        return Math.min(FrequencyTable.atOrBelow(table, Math.min(Math.max(want, min), Math.max(min, max))), cap);
    }

    /** The lowest table entry at or above {@code target} (the top one if none is). */
    public static long atOrAbove(List<Long> table, double target) {
        for (long f : table) {
            if (f >= target) {
                return f;
            }
        }
        return table.get(table.size() - 1);
    }
}
