package io.joulegov.governor.core;

import io.joulegov.device.board.Board;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * What the governor does when another program writes the knobs it holds (nvpmodel, jetson_clocks, a user): the first
 * time, it stays within the caps that program left; a second time within {@link #WINDOW}, it backs off as long without
 * writing, so that the two never fight. Then it takes the clocks back within the caps it finds.
 */
final class OtherWriterBackoff {

    /** After a second write by another program within this long, the governor backs off for as long. */
    static final Duration WINDOW = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(OtherWriterBackoff.class);

    /** What a look at the knobs found. */
    enum Seen { NOTHING, NEW_CAPS, BACKING_OFF }

    private final KnobWatch watch;
    private final Deque<Long> writes = new ArrayDeque<>();
    private long backedOffUntil = Long.MIN_VALUE;
    private long cpuCapKHz = Long.MAX_VALUE;
    private long gpuCapHz = Long.MAX_VALUE;
    /** The power mode's EMC cap is in force from the start (the kernel holds it even over joulegov's lock). */
    private long emcCapHz;

    OtherWriterBackoff(Board board) {
        this.watch = new KnobWatch(board);
        this.emcCapHz = watch.emcCapHz();
    }

    /** Whether the governor may write now; the first time after backing off, the caps are read again. */
    boolean mayWrite(long now) {
        if (now < backedOffUntil) {
            return false;
        }
        if (backedOffUntil != Long.MIN_VALUE) {
            // the other writer may have left new caps (another power mode)
            backedOffUntil = Long.MIN_VALUE;
            readCaps();
            LOG.info("taking the clocks back within the caps found: CPU <= {} kHz, GPU <= {} Hz", cpuCapKHz, gpuCapHz);
        }
        return true;
    }

    /** The governor just wrote the knobs: what they read now is its own. */
    void wrote() {
        watch.expectNow();
    }

    /** Looks for another program's writes since the governor's last one. */
    Seen look(long now) {
        List<String> changes = watch.changes();
        if (changes.isEmpty()) {
            return Seen.NOTHING;
        }
        writes.addLast(now);
        while (now - writes.peekFirst() > WINDOW.toNanos()) {
            writes.removeFirst();
        }
        LOG.warn("another program changed the clocks joulegov holds: {}", String.join(", ", changes));
        if (writes.size() >= 2) {
            backedOffUntil = now + WINDOW.toNanos();
            writes.clear();
            watch.forget();
            LOG.warn("it did so twice within {} s: leaving the clocks to it for {} s", WINDOW.toSeconds(), WINDOW.toSeconds());
            return Seen.BACKING_OFF;
        }
        readCaps();
        LOG.info("re-asserting within the caps it left: CPU <= {} kHz, GPU <= {} Hz", cpuCapKHz, gpuCapHz);
        return Seen.NEW_CAPS;
    }

    long cpuCapKHz() {
        return cpuCapKHz;
    }

    long gpuCapHz() {
        return gpuCapHz;
    }

    long emcCapHz() {
        return emcCapHz;
    }

    /** Other writes remembered (at most two within the window). */
    int remembered() {
        return writes.size();
    }

    private void readCaps() {
        cpuCapKHz = watch.cpuCapKHz();
        gpuCapHz = watch.gpuCapHz();
        emcCapHz = watch.emcCapHz();
    }
}
