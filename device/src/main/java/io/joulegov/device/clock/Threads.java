package io.joulegov.device.clock;

import java.time.Duration;

/** Stopping a worker thread the one way every part of joulegov does it. */
public final class Threads {

    private Threads() {
    }

    /**
     * Interrupts {@code t} (null: nothing to stop) and waits up to {@code atMost} for it to end; a caller interrupted
     * while it waits stops waiting and keeps its interrupt.
     */
    public static void stop(Thread t, Duration atMost) {
        if (t == null) {
            return;
        }
        t.interrupt();
        try {
            t.join(atMost.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
