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
    static final class RecordingTransport implements Transport {
        final List<Registration> registrations = new ArrayList<>();
        final List<Double> latencies = new ArrayList<>();
        final List<Double> ages = new ArrayList<>();
        final AtomicBoolean down = new AtomicBoolean();
        boolean closed;

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
        public synchronized void report(String model, double[] ms, double[] endedMsAgo, int count) throws IOException {
            check();
            for (int i = 0; i < count; i++) {
                latencies.add(ms[i]);
                ages.add(endedMsAgo[i]);
            }
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

    @Test
    void aRegistrationNeedsExactlyOneKindOfBudget() {
        IllegalArgumentException both = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new Registration("m", "", 1, 40.0, 1.3, "p95"));
        assertTrue(both.getMessage().contains("exactly one"), both.getMessage());
        assertEquals("{\"op\":\"register\",\"model\":\"m\",\"hash\":\"3f2a9c0d\",\"batch\":2,\"budgetMs\":40.0,\"percentile\":\"p99\"}",
                new Registration("m", "sha256:3f2a9c0d", 2, 40.0, null, "p99").toRequest());
    }
}
