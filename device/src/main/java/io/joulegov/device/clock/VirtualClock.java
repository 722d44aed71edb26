package io.joulegov.device.clock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A discrete-event clock shared by real threads. Each participating thread (a "party") either runs or sleeps on
 * this clock; computation takes no virtual time. When every party sleeps, time jumps to the earliest deadline and
 * that sleeper runs. Ties wake in the order the sleeps began.
 *
 * <p>The thread that constructs the clock is a party, threads from {@link #newThread} are parties while they run,
 * and any other thread becomes one on its first sleep; a party that is done driving the clock calls
 * {@link #unregister()}. A party that blocks on anything but this clock stalls virtual time, so parties must talk
 * to each other only through the clock (or stop one another by interrupt, which ends a virtual sleep at once).
 *
 * <p>Listeners see every advance before the woken thread runs: the virtual board brings its files up to date there.
 */
public final class VirtualClock implements Clock {

    /** Told of each advance of time, under the clock's lock: it must not sleep or start parties. */
    @FunctionalInterface
    public interface AdvanceListener {
        void advancedTo(long nanoTime);
    }

    private static final class Sleeper {
        final long deadline;
        final long order;
        final Thread thread = Thread.currentThread();
        volatile boolean woken;

        Sleeper(long deadline, long order) {
            this.deadline = deadline;
            this.order = order;
        }
    }

    /**
     * How long a sleeper spins before it parks. Hand-overs between parties take microseconds of real time, and a
     * spin sees them without the two system calls of a park and an unpark.
     */
    private static final int SPINS = 20_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final PriorityQueue<Sleeper> sleepers = new PriorityQueue<>(
            Comparator.<Sleeper>comparingLong(s -> s.deadline).thenComparingLong(s -> s.order));
    private final Set<Thread> parties = new HashSet<>();
    /** Parties waiting for a party to end ({@link #join}), by the party they wait for. */
    private final Map<Thread, List<Sleeper>> joiners = new HashMap<>();
    private final List<AdvanceListener> listeners = new CopyOnWriteArrayList<>();
    private final Instant epoch;
    private volatile long now;
    private int awake;
    private long order;

    /** A clock at virtual time zero, whose wall time starts at {@code epoch}; the calling thread is a party. */
    public VirtualClock(Instant epoch) {
        this.epoch = epoch;
        register();
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Instant instant() {
        return epoch.plusNanos(now);
    }

    public void addListener(AdvanceListener listener) {
        listeners.add(listener);
    }

    public void removeListener(AdvanceListener listener) {
        listeners.remove(listener);
    }

    /** Makes the calling thread a party: virtual time waits for it. */
    public void register() {
        lock.lock();
        try {
            if (parties.add(Thread.currentThread())) {
                awake++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** The calling thread stops taking part; time may move on without it. */
    public void unregister() {
        lock.lock();
        try {
            if (parties.remove(Thread.currentThread())) {
                awake--;
                for (Sleeper joiner : joiners.getOrDefault(Thread.currentThread(), List.of())) {
                    joiner.woken = true;
                    awake++;
                    LockSupport.unpark(joiner.thread);
                }
                joiners.remove(Thread.currentThread());
                advanceWhileAllAsleep();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sleepUntil(long deadlineNanos) throws InterruptedException {
        Sleeper me;
        lock.lock();
        try {
            me = asleepUntil(deadlineNanos);
        } finally {
            lock.unlock();
        }
        if (me != null) {
            awaitWake(me);
        }
    }

    /**
     * Under the lock: the calling thread takes part and goes to sleep until {@code deadlineNanos} (time moves on if
     * every party now sleeps); null when that instant has come already.
     */
    private Sleeper asleepUntil(long deadlineNanos) throws InterruptedException {
        if (parties.add(Thread.currentThread())) {
            awake++;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (deadlineNanos <= now) {
            return null;
        }
        Sleeper me = new Sleeper(deadlineNanos, order++);
        sleepers.add(me);
        awake--;
        advanceWhileAllAsleep();
        return me;
    }

    private void awaitWake(Sleeper me) throws InterruptedException {
        for (int i = 0; i < SPINS && !me.woken; i++) {
            Thread.onSpinWait();
        }
        while (!me.woken) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                lock.lock();
                try {
                    if (me.woken) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    sleepers.remove(me);
                    awake++;
                    throw new InterruptedException();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    @Override
    public Thread newThread(String name, Runnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } finally {
                unregister();
            }
        }, name);
        thread.setDaemon(true);
        lock.lock();
        try {
            // counted from now on, so time cannot run ahead before the thread gets to its first sleep
            if (parties.add(thread)) {
                awake++;
            }
        } finally {
            lock.unlock();
        }
        return thread;
    }

    /**
     * Waits for {@code thread} to end, however long that takes in virtual time, and at most {@code atMost} of real
     * time: the caller counts as asleep meanwhile, so the parties it waits for can go on.
     */
    @Override
    public void join(Thread thread, Duration atMost) throws InterruptedException {
        Sleeper me;
        lock.lock();
        try {
            if (!parties.contains(thread) || !parties.contains(Thread.currentThread())) {
                me = null;
            } else {
                me = new Sleeper(Long.MAX_VALUE, order++);
                joiners.computeIfAbsent(thread, t -> new ArrayList<>()).add(me);
                awake--;
                advanceWhileAllAsleep();
            }
        } finally {
            lock.unlock();
        }
        if (me != null && !awaitJoin(me, thread, System.nanoTime() + atMost.toNanos())) {
            return; // it did not end in time: the caller goes on without it
        }
        thread.join(atMost.toMillis()); // it has left the clock: what is left of it takes no virtual time
    }

    /** Whether {@code thread} ended before the real-time {@code deadline}; if not, the caller is awake again. */
    private boolean awaitJoin(Sleeper me, Thread thread, long deadline) throws InterruptedException {
        while (!me.woken) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                lock.lock();
                try {
                    if (me.woken) {
                        return true;
                    }
                    joiners.getOrDefault(thread, new ArrayList<>()).remove(me);
                    awake++;
                    return false;
                } finally {
                    lock.unlock();
                }
            }
            LockSupport.parkNanos(this, left);
            if (Thread.interrupted()) {
                lock.lock();
                try {
                    if (me.woken) {
                        Thread.currentThread().interrupt();
                        return true;
                    }
                    joiners.getOrDefault(thread, new ArrayList<>()).remove(me);
                    awake++;
                    throw new InterruptedException();
                } finally {
                    lock.unlock();
                }
            }
        }
        return true;
    }

    @Override
    public Wakeup newWakeup() {
        return new VirtualWakeup();
    }

    /**
     * The calling party sleeps until every other party at this instant sleeps (those woken before it, at this instant,
     * run first); time does not move. A thread that is no party returns at once.
     */
    public void yieldTurn() {
        Sleeper me;
        lock.lock();
        try {
            if (!parties.contains(Thread.currentThread())) {
                return;
            }
            me = new Sleeper(now, order++);
            sleepers.add(me);
            awake--;
            advanceWhileAllAsleep();
        } finally {
            lock.unlock();
        }
        try {
            awaitWake(me);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the caller's next sleep
        }
    }

    /** A sleeper that a wake takes out of the queue of deadlines at once, at the present instant. */
    private final class VirtualWakeup implements Wakeup {
        private Sleeper sleeping;
        private boolean pending;

        @Override
        public void sleepUntil(long deadlineNanos) throws InterruptedException {
            Sleeper me;
            lock.lock();
            try {
                me = asleepUntil(pending ? Long.MIN_VALUE : deadlineNanos); // a wake before the sleep ends it at once
                pending = false;
                if (me == null) {
                    return;
                }
                sleeping = me;
            } finally {
                lock.unlock();
            }
            try {
                awaitWake(me);
            } finally {
                lock.lock();
                try {
                    if (sleeping == me) {
                        sleeping = null;
                    }
                } finally {
                    lock.unlock();
                }
            }
        }

        @Override
        public void wake() {
            lock.lock();
            try {
                if (sleeping != null && sleepers.remove(sleeping)) {
                    sleeping.woken = true;
                    awake++;
                    LockSupport.unpark(sleeping.thread);
                    sleeping = null;
                } else {
                    pending = true;
                }
            } finally {
                lock.unlock();
            }
            yieldTurn();
        }
    }

    /** How many parties there are (running or asleep); for tests and diagnostics. */
    public int parties() {
        lock.lock();
        try {
            return parties.size();
        } finally {
            lock.unlock();
        }
    }

    private void advanceWhileAllAsleep() {
        if (awake > 0 || sleepers.isEmpty()) {
            return;
        }
        Sleeper next = sleepers.poll();
        if (next.deadline > now) {
            now = next.deadline;
            List<AdvanceListener> snapshot = new ArrayList<>(listeners);
            for (AdvanceListener listener : snapshot) {
                listener.advancedTo(next.deadline);
            }
        }
        next.woken = true;
        awake++;
        LockSupport.unpark(next.thread);
    }
}
