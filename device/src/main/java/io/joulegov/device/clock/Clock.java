package io.joulegov.device.clock;

import java.time.Duration;
import java.time.Instant;

/**
 * Time as every component sees it. On hardware it is the system clock; on a virtual board it is a discrete-event
 * clock that jumps from one sleeper's deadline to the next, so the same sampler, profiler and governor code runs
 * a 40-hour sweep in seconds.
 */
public interface Clock {

    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanoTime();

    /** Wall-clock time, for timestamps a person reads (journals, profiles, logs). */
    Instant instant();

    /** Blocks the calling thread until {@link #nanoTime()} has reached {@code deadlineNanos}. */
    void sleepUntil(long deadlineNanos) throws InterruptedException;

    default void sleep(Duration duration) throws InterruptedException {
        sleepUntil(nanoTime() + duration.toNanos());
    }

    /**
     * A daemon thread whose sleeps go through this clock. Threads that sleep on a virtual clock must be made here
     * (or register themselves) so that virtual time only advances when every one of them is asleep.
     */
    Thread newThread(String name, Runnable body);

    /** A sleep on this clock that another thread can end early. */
    Wakeup newWakeup();

    /**
     * Waits up to {@code atMost} for {@code thread} to end. A party of a virtual clock must wait for another party this
     * way: a plain {@link Thread#join} would keep it awake, and virtual time would stop for both.
     */
    default void join(Thread thread, Duration atMost) throws InterruptedException {
        thread.join(atMost.toMillis());
    }

    static Clock system() {
        return SystemClock.INSTANCE;
    }
}
