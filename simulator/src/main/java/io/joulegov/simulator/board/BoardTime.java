package io.joulegov.simulator.board;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Threads;
import io.joulegov.device.clock.VirtualClock;

import java.time.Duration;
import java.util.function.LongConsumer;

/** What moves a board through time: every advance of a virtual clock, or a thread that ticks it on a live one. */
final class BoardTime implements AutoCloseable {

    private final VirtualClock virtualClock;
    private final VirtualClock.AdvanceListener listener;
    private final Thread ticker;

    private BoardTime(VirtualClock virtualClock, VirtualClock.AdvanceListener listener, Thread ticker) {
        this.virtualClock = virtualClock;
        this.listener = listener;
        this.ticker = ticker;
    }

    static BoardTime virtual(VirtualClock clock, LongConsumer advanceTo) {
        VirtualClock.AdvanceListener listener = advanceTo::accept;
        clock.addListener(listener);
        return new BoardTime(clock, listener, null);
    }

    static BoardTime live(Clock clock, long tickNanos, LongConsumer advanceTo) {
        Thread ticker = clock.newThread("virtual-board", () -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    clock.sleep(Duration.ofNanos(tickNanos));
                    advanceTo.accept(clock.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ticker.start();
        return new BoardTime(null, null, ticker);
    }

    @Override
    public void close() {
        Threads.stop(ticker, Duration.ofSeconds(2));
        if (virtualClock != null) {
            virtualClock.removeListener(listener);
        }
    }
}
