package io.joulegov.profiler.attach;

import io.joulegov.device.DeviceException;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Wakeup;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the attached profiler makes of an application's reports: which inferences a window holds, and when to give up. */
class ReportedStreamTest {

    /** A clock the test sets by hand; the stream's waits still pass in real time. */
    static final class HandClock implements Clock {
        final AtomicLong now = new AtomicLong();

        void setMs(long ms) {
            now.set(ms * 1_000_000L);
        }

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public Instant instant() {
            return Instant.EPOCH;
        }

        @Override
        public void sleepUntil(long deadlineNanos) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Thread newThread(String name, Runnable body) {
            return new Thread(body, name);
        }

        @Override
        public Wakeup newWakeup() {
            throw new UnsupportedOperationException();
        }
    }

    private volatile Thread sweeper;
    private final ExecutorService sweep = Executors.newSingleThreadExecutor(r -> sweeper = new Thread(r, "sweep"));

    @Test
    void aWindowHoldsTheInferencesThatEndedInsideItHoweverTheReportsWereBatched() throws Exception {
        HandClock clock = new HandClock();
        ReportedStream stream = new ReportedStream(null, clock, Duration.ofSeconds(60), Duration.ofSeconds(30));
        assertNull(stream.registered("resnet18", "", 1));
        stream.start();
        AtomicLong windowClosedAt = new AtomicLong(-1);
        Future<double[]> window = sweep.submit(() -> stream.time(3, () -> windowClosedAt.set(clock.nanoTime())));
        awaitWaiting();
        clock.setMs(100); // the window opened at 0: 5 ended 100 ms before it, 6 inside it
        stream.reported("resnet18", List.of(5.0, 6.0), List.of(200.0, 50.0));
        clock.setMs(200);
        stream.reported("resnet18", List.of(7.0, 8.0), List.of(0.0, 0.0)); // three inside: the window closes at 200 ms
        awaitClosed(windowClosedAt);
        awaitWaiting(); // for a report of an inference that ended after the window
        clock.setMs(300);
        stream.reported("resnet18", List.of(9.0, 10.0), List.of(150.0, 0.0)); // 9 ended at 150 ms, inside; 10 after
        assertArrayEquals(new double[] {6, 7, 8, 9}, window.get(), "the window's inferences, batched reports split by end");
        assertEquals(200_000_000L, windowClosedAt.get());
    }

    @Test
    void reportsWithoutAgesArePlacedWhenTheyArrive() throws Exception {
        HandClock clock = new HandClock();
        ReportedStream stream = new ReportedStream(null, clock, Duration.ofSeconds(60), Duration.ofSeconds(30));
        stream.registered("bert-tiny", "", 1);
        clock.setMs(10);
        stream.reported("bert-tiny", List.of(4.0), List.of()); // before the window: not in it
        AtomicLong windowClosedAt = new AtomicLong(-1);
        Future<double[]> window = sweep.submit(() -> stream.time(2, () -> windowClosedAt.set(clock.nanoTime())));
        awaitWaiting();
        clock.setMs(20);
        stream.reported("bert-tiny", List.of(3.0, 3.5), List.of());
        awaitClosed(windowClosedAt);
        awaitWaiting();
        clock.setMs(30);
        stream.reported("bert-tiny", List.of(3.2), List.of());
        assertArrayEquals(new double[] {3.0, 3.5}, window.get());
    }

    @Test
    void theFirstModelRegisteredIsProfiledAndOthersAreAcceptedUnmeasured() {
        ReportedStream stream = new ReportedStream(null, Clock.system(), Duration.ofSeconds(60), Duration.ofSeconds(2));
        assertNull(stream.registered("resnet18", "3f2a0011", 1));
        assertNull(stream.registered("bert-tiny", "", 1), "another model is accepted");
        assertNull(stream.registered("resnet18", "3f2a0011", 1), "the same registration again (a reconnect) is accepted");
        assertEquals("resnet18", stream.info().model());
        assertEquals("3f2a0011", stream.info().hash());
        assertEquals(ReportedStream.ENGINE, stream.info().engine());
        String refused = stream.registered("resnet18", "3f2a0011", 4);
        assertNotNull(refused);
        assertTrue(refused.contains("batch 1"), refused);
    }

    @Test
    void aModelNamedOnTheCommandLineWaitsForThatModel() {
        ReportedStream stream = new ReportedStream("distilbert", Clock.system(), Duration.ofSeconds(60), Duration.ofSeconds(2));
        stream.registered("resnet18", "", 1);
        assertNull(stream.registeredModel());
        stream.registered("distilbert", "", 1);
        assertEquals("distilbert", stream.registeredModel());
    }

    @Test
    void aStreamThatStopsReportingEndsTheProfileSayingHowToGoOn() {
        ReportedStream stream = new ReportedStream(null, Clock.system(), Duration.ofMillis(300), Duration.ofSeconds(2));
        stream.registered("resnet18", "", 1);
        stream.reported("resnet18", List.of(30.0), List.of());
        ExecutionException e = assertThrows(ExecutionException.class, () -> sweep.submit(() -> stream.time(5, () -> { })).get());
        assertInstanceOf(DeviceException.class, e.getCause());
        assertEquals("no inference of resnet18 reported for 0.3s: has the application stopped? The points measured so far"
                + " are kept; run again with --resume once it runs", e.getCause().getMessage());
    }

    @Test
    void latenciesNobodyTakesAreKeptOnlyUpToABound() throws Exception {
        HandClock clock = new HandClock();
        ReportedStream stream = new ReportedStream(null, clock, Duration.ofSeconds(60), Duration.ofSeconds(30));
        stream.registered("m", "", 1);
        List<Double> batch = java.util.Collections.nCopies(2048, 1.0);
        for (int i = 0; i < 3 * ReportedStream.MAX_KEPT / 2048; i++) { // three times the bound, between windows
            stream.reported("m", batch, List.of());
        }
        clock.setMs(1);
        AtomicLong windowClosedAt = new AtomicLong(-1);
        Future<double[]> window = sweep.submit(() -> stream.time(1, () -> windowClosedAt.set(clock.nanoTime())));
        awaitWaiting();
        clock.setMs(2);
        stream.reported("m", List.of(7.0), List.of());
        awaitClosed(windowClosedAt);
        awaitWaiting();
        clock.setMs(3);
        stream.reported("m", List.of(8.0), List.of()); // after the window: it may end
        assertArrayEquals(new double[] {7.0}, window.get(), "the old ones were let go, the new one counts");
    }

    /** Until the sweep's thread waits for reports (after a window closed: for late ones). */
    private void awaitWaiting() throws InterruptedException {
        for (int i = 0; i < 1000 && (sweeper == null || sweeper.getState() != Thread.State.TIMED_WAITING); i++) {
            Thread.sleep(5);
        }
    }

    private static void awaitClosed(AtomicLong closedAt) throws InterruptedException {
        for (int i = 0; i < 1000 && closedAt.get() < 0; i++) {
            Thread.sleep(5);
        }
    }
}
