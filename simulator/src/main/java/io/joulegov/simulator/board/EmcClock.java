package io.joulegov.simulator.board;

import io.joulegov.device.knobs.FrequencyTable;
import io.joulegov.simulator.tree.Attribute;

import java.util.List;

/**
 * The memory clock: locked at a written rate, or else scaled by the kernel from memory activity, at the top as soon
 * as inference runs and at the bottom once the GPU has been idle for a governor window.
 */
final class EmcClock {

    private final List<Long> table;
    private final boolean bpmp;
    private final Attribute lock;
    private final Attribute rate;
    private final Attribute readback;
    /** A second read-out (the Nano's debugfs clk_rate), or null. */
    private final Attribute readback2;
    long effectiveHz;
    /** Whether memory is active: set by inference, cleared after an idle GPU window. */
    boolean busy = true;

    /** {@code bpmp}: the rate file is both the request and the read-out (T186/T194/T234); else the T210 override. */
    EmcClock(List<Long> table, boolean bpmp, Attribute lock, Attribute rate, Attribute readback, Attribute readback2) {
        this.table = table;
        this.bpmp = bpmp;
        this.lock = lock;
        this.rate = rate;
        this.readback = readback;
        this.readback2 = readback2;
        this.effectiveHz = table.get(table.size() - 1);
    }

    void apply() {
        boolean locked = lock.holds("1");
        long f = locked ? FrequencyTable.atOrBelow(table, rate.readNumber(effectiveHz))
                : busy ? table.get(table.size() - 1) : table.get(0);
        if (f != effectiveHz || (!locked && bpmp && rate.readNumber(-1) != f)) {
            effectiveHz = f;
            if (!locked || !bpmp) {
                readback.write(f);
            }
            if (readback2 != null) {
                readback2.write(f);
            }
        }
    }
}
