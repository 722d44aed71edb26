package io.joulegov.client;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The time a {@link LatencyReporter} stamps latencies with and the sleeps of its sending thread: the system's in an
 * application; a virtual board's clock where joulegov runs a workload on virtual time (compare, the demo), so that
 * those feed the governor through the same batching as an application.
 */
public interface ReporterClock {

    long nanoTime();

    /** A daemon thread, not started, that runs {@code body}. */
    Thread newThread(String name, Runnable body);

    /** Sleeps the sending thread until {@code deadlineNanos} or a {@link #wake()}, whichever comes first. */
    void sleepUntil(long deadlineNanos) throws InterruptedException;

    /** Ends the sending thread's sleep now, or its next one at its start. */
    void wake();

    /** Waits up to {@code millis} for the sending thread to end. */
    default void join(Thread thread, long millis) throws InterruptedException {
        thread.join(millis);
    }

    /** System time, for one reporter (one sending thread sleeps on it). */
    static ReporterClock system() {
        return new ReporterClock() {
            private final AtomicBoolean woken = new AtomicBoolean();
            private volatile Thread sleeper;

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public Thread newThread(String name, Runnable body) {
                Thread t = new Thread(body, name);
                t.setDaemon(true);
                return t;
            }

            @Override
            public void sleepUntil(long deadlineNanos) throws InterruptedException {
                sleeper = Thread.currentThread();
                try {
                    long left;
                    while (!woken.getAndSet(false) && (left = deadlineNanos - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(this, left);
                        if (Thread.interrupted()) {
                            throw new InterruptedException();
                        }
                    }
                } finally {
                    sleeper = null;
                }
            }

            @Override
            public void wake() {
                woken.set(true);
                Thread t = sleeper;
                if (t != null) {
                    LockSupport.unpark(t);
                }
            }
        };
    }
}
