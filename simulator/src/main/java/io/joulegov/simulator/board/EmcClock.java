package io.joulegov.simulator.board;

import io.joulegov.device.knobs.FrequencyTable;
import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.tree.Attribute;

import java.util.List;

/**
 * The memory clock: locked at a written rate, or else scaled by the kernel, and in both cases within nvpmodel's cap.
 * The kernel scales it either by actmon (the memory traffic it counts, averaged with a lag: Orin Nano Super) or, on
 * the older boards' calibrated model, to the top as soon as inference runs and to the bottom once the GPU has been
 * idle for a governor window. A new rate takes {@code settleNanos} to take effect.
 */
final class EmcClock {

    private final List<Long> table;
    private final boolean bpmp;
    private final Attribute lock;
    private final Attribute rate;
    private final Attribute readback;
    /** A second read-out (the Nano's debugfs clk_rate), or null. */
    private final Attribute readback2;
    /** nvpmodel's cap (Hz, 0 for none), or null where the board has no such file. */
    private final Attribute cap;
    private final BoardSpec.Actmon actmon;
    /** The rate it runs at and the one asked of it (Hz). */
    final SettlingClock clock;
    /**
     * What a locked clock was last asked for, and what the rate file last showed: on BPMP that file is both (a write
     * asks, a read gives the rate it runs at), so a value other than the one shown is a new request.
     */
    private long lockedAtHz;
    private long shownHz = -1;
    private boolean wasLocked;
    /** Whether memory is active (the model without actmon): set by inference, cleared after an idle GPU window. */
    boolean busy = true;
    /** actmon: traffic counted since its last sample (Hz x ns), its average (Hz), and the rate it set. */
    private double counted;
    private double averageHz;
    private long kernelHz;

    /** {@code bpmp}: the rate file is both the request and the read-out (T186/T194/T234); else the T210 override. */
    EmcClock(List<Long> table, boolean bpmp, Attribute lock, Attribute rate, Attribute readback, Attribute readback2,
             Attribute cap, BoardSpec.Actmon actmon, long settleNanos) {
        this.table = table;
        this.bpmp = bpmp;
        this.lock = lock;
        this.rate = rate;
        this.readback = readback;
        this.readback2 = readback2;
        this.cap = cap;
        this.actmon = actmon;
        this.clock = new SettlingClock(top(), settleNanos);
        this.kernelHz = this.lockedAtHz = top();
    }

    long top() {
        return table.get(table.size() - 1);
    }

    /** Memory traffic of {@code trafficHz} (the rate it would keep fully busy) for {@code nanos}. */
    void count(double trafficHz, long nanos) {
        counted += trafficHz * nanos;
    }

    /** actmon's sample at the end of a window of {@code windowNanos}: the average moves toward the window's traffic. */
    void sample(long windowNanos) {
        double keep = Math.exp(-windowNanos / actmon.tauNanos());
        averageHz = averageHz * keep + counted / windowNanos * (1 - keep);
        counted = 0;
        kernelHz = atOrAbove(averageHz / actmon.utilisation());
    }

    /** Reads the lock, the rate asked and the cap at {@code now}; the rate they give takes effect after settling. */
    void apply(long now) {
        boolean locked = lock.holds("1");
        if (locked) {
            long asked = rate.readNumber(lockedAtHz);
            if (!bpmp || !wasLocked || asked != shownHz) {
                lockedAtHz = asked; // on BPMP, a value other than the one shown was written: a request
            }
        }
        wasLocked = locked;
        long f = locked ? FrequencyTable.atOrBelow(table, lockedAtHz)
                : actmon != null ? kernelHz : busy ? top() : table.get(0);
        long capHz = cap == null ? 0 : cap.readNumber(0);
        if (capHz > 0 && capHz < f) {
            f = FrequencyTable.atOrBelow(table, capHz);
        }
        clock.ask(f, now);
        settle(now);
        if (bpmp && rate.readNumber(-1) != clock.effective()) {
            show(); // BPMP's rate reads as the rate the clock runs at, whatever was written to it
        }
    }

    /** Runs at the rate asked for once it has settled, and shows it. */
    void settle(long now) {
        if (!clock.settle(now)) {
            return;
        }
        show();
        if (readback2 != null) {
            readback2.write(clock.effective());
        }
    }

    private void show() {
        readback.write(clock.effective());
        shownHz = clock.effective();
    }

    private long atOrAbove(double hz) {
        for (long r : table) {
            if (r >= hz) {
                return r;
            }
        }
        return top();
    }
}
