package io.joulegov.device.clock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualClockTest {

    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aLoneSleeperJumpsStraightToItsDeadline() throws InterruptedException {
        VirtualClock clock = new VirtualClock(EPOCH);
        long wallStart = System.nanoTime();
        clock.sleep(Duration.ofHours(40));
        assertEquals(Duration.ofHours(40).toNanos(), clock.nanoTime());
        assertEquals(EPOCH.plus(Duration.ofHours(40)), clock.instant());
        assertTrue(System.nanoTime() - wallStart < Duration.ofSeconds(1).toNanos());
    }

    @Test
    void threadsInterleaveInDeadlineOrderAndListenersSeeEveryAdvance() throws InterruptedException {
        VirtualClock clock = new VirtualClock(EPOCH);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<Long> advances = Collections.synchronizedList(new ArrayList<>());
        clock.addListener(advances::add);
        Thread ticker = clock.newThread("ticker", () -> {
            try {
                for (int i = 1; i <= 4; i++) {
                    clock.sleepUntil(i * 100L);
                    events.add("tick@" + clock.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ticker.start();
        clock.sleepUntil(250);
        events.add("main@" + clock.nanoTime());
        clock.sleepUntil(1000);
        events.add("main@" + clock.nanoTime());
        ticker.join();
        assertEquals(List.of("tick@100", "tick@200", "main@250", "tick@300", "tick@400", "main@1000"), events);
        assertEquals(List.of(100L, 200L, 250L, 300L, 400L, 1000L), advances);
    }

    @Test
    void anInterruptEndsAVirtualSleepAndTimeGoesOnWithoutTheSleeper() throws InterruptedException {
        VirtualClock clock = new VirtualClock(EPOCH);
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread sleeper = clock.newThread("sleeper", () -> {
            try {
                while (true) {
                    clock.sleep(Duration.ofMillis(10));
                }
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        sleeper.start();
        clock.sleep(Duration.ofSeconds(1));
        sleeper.interrupt();
        sleeper.join(5_000);
        assertTrue(interrupted.get());
        assertEquals(1, clock.parties(), "only the main thread is left");
        clock.sleep(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(2).toNanos(), clock.nanoTime());
    }

    @Test
    void aWakeEndsAVirtualSleepAtTheSameInstantAndTheWokenThreadRunsBeforeTheWaker() throws InterruptedException {
        VirtualClock clock = new VirtualClock(EPOCH);
        Wakeup wakeup = clock.newWakeup();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        Thread owner = clock.newThread("owner", () -> {
            try {
                wakeup.sleepUntil(Duration.ofHours(1).toNanos());
                events.add("owner woken@" + clock.nanoTime());
                wakeup.sleepUntil(Duration.ofHours(1).toNanos());
                events.add("owner deadline@" + clock.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        owner.start();
        clock.sleepUntil(500);
        wakeup.wake();
        events.add("waker@" + clock.nanoTime());
        clock.join(owner, Duration.ofSeconds(10)); // through the clock: a plain join would stop virtual time
        assertEquals(List.of("owner woken@500", "waker@500", "owner deadline@" + Duration.ofHours(1).toNanos()), events);
    }

    @Test
    void aPartyWaitingForAnotherToEndLetsVirtualTimeGoOn() throws InterruptedException {
        VirtualClock clock = new VirtualClock(EPOCH);
        Thread sleeper = clock.newThread("sleeper", () -> {
            try {
                clock.sleepUntil(Duration.ofMinutes(5).toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        sleeper.start();
        clock.join(sleeper, Duration.ofSeconds(10));
        assertTrue(!sleeper.isAlive());
        assertEquals(Duration.ofMinutes(5).toNanos(), clock.nanoTime());
    }

    @Test
    void aWakeBeforeTheSleepEndsTheNextSleepAtOnce() throws InterruptedException {
        VirtualClock clock = new VirtualClock(EPOCH);
        Wakeup wakeup = clock.newWakeup();
        wakeup.wake();
        wakeup.sleepUntil(1000);
        assertEquals(0, clock.nanoTime());
        wakeup.sleepUntil(1000);
        assertEquals(1000, clock.nanoTime());
    }

    @Test
    void theSystemClocksWakeupEndsARealSleepEarly() throws InterruptedException {
        Clock clock = Clock.system();
        Wakeup wakeup = clock.newWakeup();
        Thread waker = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            wakeup.wake();
        });
        long start = System.nanoTime();
        waker.start();
        wakeup.sleepUntil(start + Duration.ofSeconds(30).toNanos());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
        waker.join();
    }
}
