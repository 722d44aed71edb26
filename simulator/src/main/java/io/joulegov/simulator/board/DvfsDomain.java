package io.joulegov.simulator.board;

import io.joulegov.simulator.model.Governors;
import io.joulegov.simulator.tree.Attribute;

import java.util.List;

/**
 * One DVFS domain as the kernel keeps it, a cpufreq policy or the GPU's devfreq node alike: its governor and limit
 * files, the files that show the clock it runs at, the frequency its default governor wants, the thermal cap, and the
 * busy time that governor samples. What the two frameworks do differently is given to it: how the default governor
 * turns the last window's load into a frequency, and where the userspace governor takes its frequency from.
 */
final class DvfsDomain {

    /** A default governor (schedutil, nvhost_podgov): the frequency it wants after a window busy for {@code share}. */
    @FunctionalInterface
    interface DefaultGovernor {
        long pick(List<Long> table, long current, double share, long windowNanos);
    }

    final List<Long> table;
    private final Attribute governor;
    private final Attribute min;
    private final Attribute max;
    /** cpufreq's scaling_setspeed; null for devfreq, whose userspace governor keeps the clock where it is. */
    private final Attribute setspeed;
    private final List<Attribute> shown;
    private final DefaultGovernor defaultGovernor;
    /** The frequency it runs at and the one asked of it; then the one its default governor wants, and the thermal cap. */
    final SettlingClock clock;
    long governed;
    long cap;
    /** Busy time since the governor's last window, and the share of that window it was busy. */
    double busyNanos;
    double lastShare;

    DvfsDomain(List<Long> table, Attribute governor, Attribute min, Attribute max, Attribute setspeed, List<Attribute> shown,
               DefaultGovernor defaultGovernor, long settleNanos) {
        this.table = table;
        this.governor = governor;
        this.min = min;
        this.max = max;
        this.setspeed = setspeed;
        this.shown = shown;
        this.defaultGovernor = defaultGovernor;
        this.clock = new SettlingClock(top(), settleNanos);
        this.governed = this.cap = top();
    }

    long top() {
        return table.get(table.size() - 1);
    }

    /** The end of a governor window of {@code windowNanos}. */
    void governorTick(long windowNanos) {
        lastShare = windowNanos > 0 ? Math.min(1, busyNanos / windowNanos) : 0;
        busyNanos = 0;
        governed = defaultGovernor.pick(table, clock.effective(), lastShare, windowNanos);
    }

    /** Reads the knobs at {@code now} and asks for the clock they give, within the limits and the cap. */
    void apply(long now) {
        long lo = min.readNumber(table.get(0));
        long hi = max.readNumber(top());
        long target;
        if (governor.holds("userspace")) {
            target = setspeed == null ? clock.effective() : setspeed.readNumber(clock.effective());
        } else {
            if (setspeed != null) {
                setspeed.write("<unsupported>"); // outside the userspace governor the kernel shows this
            }
            target = governor.holds("performance") ? hi : governor.holds("powersave") ? lo : governed;
        }
        clock.ask(Governors.within(table, target, lo, hi, cap), now);
        settle(now);
    }

    /** Runs at the clock asked for once it has settled, and shows it. */
    void settle(long now) {
        if (clock.settle(now)) {
            for (Attribute a : shown) {
                a.write(clock.effective());
            }
        }
    }

    /** A thermal step: one frequency lower while a passive trip is exceeded, one higher once cool again. */
    void throttle(boolean hot, boolean cool) {
        int i = table.indexOf(cap);
        if (hot && i > 0) {
            cap = table.get(i - 1);
        } else if (!hot && cool && i >= 0 && i < table.size() - 1) {
            cap = table.get(i + 1);
        }
    }

    /** Writes the upper limit, as nvpmodel does. */
    void limitTo(long value) {
        max.write(value);
    }
}
