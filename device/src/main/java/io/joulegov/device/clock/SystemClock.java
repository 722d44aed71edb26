package io.joulegov.device.clock;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/** The real clock: {@link System#nanoTime()} and real sleeps. */
public final class SystemClock implements Clock {

    static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    @Override
    public Thread newThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public Wakeup newWakeup() {
        return new Wakeup() {
            private final AtomicBoolean woken = new AtomicBoolean();
            private volatile Thread sleeper;

            @Override
            public void sleepUntil(long deadlineNanos) throws InterruptedException {
                sleeper = Thread.currentThread();
                try {
                    long left;
                    // woken is checked after sleeper is set: a wake in between is seen here or unparks the park
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
