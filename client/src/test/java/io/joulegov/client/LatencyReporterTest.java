package io.joulegov.client;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reporter against a transport held in memory: what reaches the governor, and what a missing one costs. */
class LatencyReporterTest {

    /** A governor that records what it is sent, and can be made unreachable. */
    static class RecordingTransport implements Transport {
        final List<Registration> registrations = new ArrayList<>();
        final List<Double> latencies = new ArrayList<>();
        final List<Double> ages = new ArrayList<>();
        final AtomicBoolean down = new AtomicBoolean();
        /** What the governor answers a report with: how soon it wants the next one. */
        volatile Duration within = Duration.ZERO;
        boolean closed;
        int reports;

        @Override
        public synchronized void register(Registration r) throws IOException {
            check();
            registrations.add(r);
        }

        @Override
        public void begin(String model) throws IOException {
            check();
        }

        @Override
        public synchronized Duration report(String model, double[] ms, double[] endedMsAgo, int count) throws IOException {
            check();
            reports++;
            for (int i = 0; i < count; i++) {
                latencies.add(ms[i]);
                ages.add(endedMsAgo[i]);
            }
            return within;
        }

        private void check() throws IOException {
            if (down.get()) {
                throw new IOException("connection refused");
            }
        }

        @Override
        public void disconnect() {
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final Registration RESNET = new Registration("resnet18", "", 1, null, 1.3, "p95");

    @Test
    void everyLatencyReachesTheGovernorInOrderOnceItRegistered() {
        RecordingTransport t = new RecordingTransport();
        LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofMillis(5));
        for (int i = 1; i <= 5000; i++) {
            r.starting();
            r.record(i);
        }
        r.close();
        assertEquals(List.of(RESNET), t.registrations);
        assertEquals(5000, t.latencies.size());
        assertEquals(1.0, t.latencies.get(0));
        assertEquals(5000.0, t.latencies.get(4999));
        assertEquals(5000, r.reported());
        assertEquals(0, r.dropped());
        assertTrue(t.closed, "closing the reporter closes its transport");
    }

    @Test
    void eachLatencySaysHowLongBeforeItsReportItEnded() throws InterruptedException {
        RecordingTransport t = new RecordingTransport();
        LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofSeconds(10));
        r.record(10);
        Thread.sleep(100);
        r.record(20);
        r.close(); // one flush carries both
        assertEquals(List.of(10.0, 20.0), t.latencies);
        assertTrue(t.ages.get(0) >= t.ages.get(1) + 100, "the first ended at least 100 ms before the second: " + t.ages);
        assertTrue(t.ages.get(1) >= 0);
    }

    @Test
    void anUnreachableGovernorCostsTheLatenciesNotTheInference() {
        RecordingTransport t = new RecordingTransport();
        t.down.set(true);
        LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofMillis(5));
        for (int i = 0; i < 1000; i++) {
            r.record(10); // never throws, never blocks
        }
        r.close();
        assertEquals(0, r.reported());
        assertEquals(1000, r.dropped());
        assertTrue(t.registrations.isEmpty());
    }

    /** The system's clock, whose sending thread records what escapes it instead of printing a stack trace. */
    private static ReporterClock recordingUncaught(List<Throwable> uncaught) {
        ReporterClock system = ReporterClock.system();
        return new ReporterClock() {
            @Override
            public long nanoTime() {
                return system.nanoTime();
            }

            @Override
            public Thread newThread(String name, Runnable body) {
                Thread t = system.newThread(name, body);
                t.setUncaughtExceptionHandler((th, e) -> uncaught.add(e));
                return t;
            }

            @Override
            public void sleepUntil(long deadlineNanos) throws InterruptedException {
                system.sleepUntil(deadlineNanos);
            }

            @Override
            public void wake() {
                system.wake();
            }
        };
    }

    /**
     * While the governor learns a model it answers each report with how soon it wants the next (each step of its walk
     * waits for latencies): the reporter sends that often instead of its own, slower pace, and goes back to its own
     * pace once the governor stops asking.
     */
    @Test
    void reportsComeAsOftenAsTheGovernorAsksWhileItLearnsThenAtTheApplicationsPace() {
        RecordingTransport t = new RecordingTransport();
        t.within = Duration.ofMillis(5);
        LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofMillis(500));
        int asked = reportsWithin(t, r, Duration.ofSeconds(1));
        t.within = Duration.ZERO;
        reportsWithin(t, r, Duration.ofMillis(600)); // the report that said so, then the reporter's own pace
        int own = reportsWithin(t, r, Duration.ofSeconds(1));
        r.close();
        assertTrue(asked >= 20, asked + " reports in the second the governor asked for one each 5 ms");
        assertTrue(own <= 3, own + " reports in a second at a pace of 500 ms");
    }

    /** Reports the reporter sends while an inference ends each millisecond for {@code period}. */
    private static int reportsWithin(RecordingTransport t, LatencyReporter r, Duration period) {
        int before;
        synchronized (t) {
            before = t.reports;
        }
        long until = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < until) {
            r.record(1);
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
        synchronized (t) {
            return t.reports - before;
        }
    }

    /** A daemon stopping under a send: the channel may throw unchecked (ClosedSelectorException); never a trace. */
    @Test
    void aConnectionTornDownUncheckedIsALossNotAStackTrace() {
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicBoolean torn = new AtomicBoolean(true);
        RecordingTransport t = new RecordingTransport() {
            @Override
            public synchronized Duration report(String model, double[] ms, double[] endedMsAgo, int count) throws IOException {
                if (torn.getAndSet(false)) {
                    throw new java.nio.channels.ClosedSelectorException();
                }
                return super.report(model, ms, endedMsAgo, count);
            }
        };
        LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofMillis(5), recordingUncaught(uncaught));
        r.record(1);
        long until = System.nanoTime() + 10_000_000_000L;
        while (t.latencies.isEmpty() && System.nanoTime() < until) {
            r.record(2); // after the loss it registers again (a second later) and delivers
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        r.close();
        assertEquals(List.of(), uncaught);
        assertTrue(r.reported() > 0, "it reported again after the loss");
        assertTrue(r.dropped() > 0, "what the torn send carried is counted as dropped");
        assertEquals(2, t.registrations.size());
        assertTrue(t.closed);
    }

    /**
     * A stream stopped by interrupting its thread closes its reporter from that interrupted thread: the reporter
     * still lets its sending thread finish, and its transport is never closed under a send in flight.
     */
    @Test
    void closedFromAnInterruptedThreadTheTransportIsNeverClosedUnderASend() throws Exception {
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch inFlight = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicBoolean sending = new AtomicBoolean();
        AtomicBoolean closedUnderASend = new AtomicBoolean();
        RecordingTransport t = new RecordingTransport() {
            @Override
            public Duration report(String model, double[] ms, double[] endedMsAgo, int count) throws IOException {
                sending.set(true);
                inFlight.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted");
                }
                Duration within = super.report(model, ms, endedMsAgo, count);
                sending.set(false);
                return within;
            }

            @Override
            public void close() {
                closedUnderASend.compareAndSet(false, sending.get());
                super.close();
            }
        };
        LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofMillis(5), recordingUncaught(uncaught));
        r.record(1);
        assertTrue(inFlight.await(10, java.util.concurrent.TimeUnit.SECONDS));
        AtomicBoolean keptInterrupt = new AtomicBoolean();
        Thread stream = new Thread(() -> {
            Thread.currentThread().interrupt(); // as Threads.stop leaves the stream's thread
            r.close();
            keptInterrupt.set(Thread.currentThread().isInterrupted());
        });
        stream.start();
        Thread.sleep(200);
        assertTrue(stream.isAlive(), "close waits for the send in flight");
        release.countDown();
        stream.join(10_000);
        assertTrue(!stream.isAlive() && keptInterrupt.get());
        assertTrue(t.closed);
        assertTrue(!closedUnderASend.get(), "the transport was closed under a send");
        assertEquals(List.of(1.0), t.latencies);
        assertEquals(List.of(), uncaught);
    }

    /** A daemon stopping: its socket closes, then refuses, then is gone; one warning line for the whole outage. */
    @Test
    void aDaemonGoingAwayIsOneWarningLine() {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LatencyReporter.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen = new ch.qos.logback.core.read.ListAppender<>();
        seen.start();
        log.addAppender(seen);
        List<String> outage = new java.util.ArrayList<>(List.of("the daemon closed the connection", "Connection refused",
                "No such file or directory"));
        RecordingTransport t = new RecordingTransport() {
            @Override
            public synchronized void register(Registration r) throws IOException {
                if (registrations.size() == 1 && outage.size() < 3 && !outage.isEmpty()) {
                    throw new IOException(outage.remove(0));
                }
                super.register(r);
            }

            @Override
            public synchronized Duration report(String model, double[] ms, double[] endedMsAgo, int count) throws IOException {
                if (outage.size() == 3) {
                    throw new IOException(outage.remove(0));
                }
                return super.report(model, ms, endedMsAgo, count);
            }
        };
        try {
            LatencyReporter r = new LatencyReporter(RESNET, t, Duration.ofMillis(5));
            long until = System.nanoTime() + 15_000_000_000L;
            while (t.registrations.size() < 2 && System.nanoTime() < until) {
                r.record(1);
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
            r.close();
        } finally {
            log.detachAppender(seen);
        }
        assertEquals(2, t.registrations.size(), "registered again after the outage");
        List<String> warnings = seen.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("the daemon closed the connection"), warnings.get(0));
        assertTrue(seen.list.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack trace");
    }

    @Test
    void aRegistrationNeedsExactlyOneKindOfBudget() {
        IllegalArgumentException both = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Registration("m", "", 1, 40.0, 1.3, "p95"));
        assertTrue(both.getMessage().contains("exactly one"), both.getMessage());
        assertEquals("{\"op\":\"register\",\"model\":\"m\",\"hash\":\"3f2a9c0d\",\"batch\":2,\"budgetMs\":40.0,\"percentile\":\"p99\"}",
                new Registration("m", "sha256:3f2a9c0d", 2, 40.0, null, "p99").toRequest());
    }
}
