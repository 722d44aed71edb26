package io.joulegov.governor.inprocess;

import io.joulegov.client.ReporterClock;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Wakeup;

import java.time.Duration;

/**
 * A latency reporter's time on a board's {@link Clock}: a workload on a virtual board (compare, the demo, the soak)
 * reports through an application's batching on virtual time, its sending thread a party of the clock.
 */
public final class ReporterOnClock implements ReporterClock {

    private final Clock clock;
    private final Wakeup wakeup;

    public ReporterOnClock(Clock clock) {
        this.clock = clock;
        this.wakeup = clock.newWakeup();
    }

    @Override
    public long nanoTime() {
        return clock.nanoTime();
    }

    @Override
    public Thread newThread(String name, Runnable body) {
        return clock.newThread(name, body);
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        wakeup.sleepUntil(deadlineNanos);
    }

    @Override
    public void wake() {
        wakeup.wake();
    }

    @Override
    public void join(Thread thread, long millis) throws InterruptedException {
        clock.join(thread, Duration.ofMillis(millis));
    }
}
