package io.joulegov.client;

import io.joulegov.client.protocol.ControlProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects an application's inference latencies from any number of threads and sends them to the governor from one
 * background thread, in batches. Inference threads only append to a buffer: a slow, absent or restarting daemon never
 * blocks or fails an inference. While the governor learns a model it may ask for reports sooner than
 * {@code flushEvery} (each step of its walk waits for latencies), and gets them. While the governor cannot be reached
 * the latencies are dropped (and counted), and the model is registered again as soon as it can be.
 */
public final class LatencyReporter implements AutoCloseable {

    /**
     * Latencies kept at most between two flushes (8 MB): enough for a million calls made while the sending thread
     * gets no CPU (64 busy inference threads on two cores); beyond it they are dropped and counted.
     */
    static final int MAX_BUFFERED = 1 << 20;
    /** A pause longer than this before an inference is announced with {@code begin}: the daemon may be idling. */
    private static final long IDLE_HINT_NANOS = 200_000_000L;
    private static final Duration RETRY = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(LatencyReporter.class);

    private final Registration registration;
    private final Transport transport;
    private final ReporterClock clock;
    private final long flushNanos;
    /** How long until the next flush: the application's {@code flushEvery}, or sooner while the governor asks it. */
    private long paceNanos;
    private final Thread flusher;
    private final Object lock = new Object();
    private Batch buffer = new Batch(1024);
    private Batch spare = new Batch(1024);
    private volatile long lastStart = Long.MIN_VALUE;
    private volatile boolean beginPending;
    private volatile boolean running = true;
    private boolean registered;
    private long retryAt;
    private String lastProblem;
    private final AtomicLong reported = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public LatencyReporter(Registration registration, Transport transport, Duration flushEvery) {
        this(registration, transport, flushEvery, ReporterClock.system());
    }

    /** As {@link #LatencyReporter(Registration, Transport, Duration)}, on {@code clock}'s time. */
    public LatencyReporter(Registration registration, Transport transport, Duration flushEvery, ReporterClock clock) {
        this.registration = registration;
        this.transport = transport;
        this.clock = clock;
        this.flushNanos = flushEvery.toNanos();
        this.paceNanos = flushNanos;
        this.flusher = clock.newThread("joulegov-reporter-" + registration.model(), this::loop);
        flusher.start();
    }

    /** An inference is about to start. */
    public void starting() {
        long now = clock.nanoTime();
        long last = lastStart;
        lastStart = now;
        if (last == Long.MIN_VALUE || now - last > IDLE_HINT_NANOS) {
            beginPending = true;
            clock.wake();
        }
    }

    /** An inference (or a batch) took {@code ms}, and ended now. */
    public void record(double ms) {
        long now = clock.nanoTime();
        synchronized (lock) {
            if (buffer.size == MAX_BUFFERED) {
                dropped.incrementAndGet();
                return;
            }
            buffer.add(ms, now);
        }
    }

    /** Latencies and when each ended (the clock's nanoTime), between two flushes. */
    private static final class Batch {
        double[] latenciesMs;
        long[] endedNanos;
        int size;

        Batch(int capacity) {
            latenciesMs = new double[capacity];
            endedNanos = new long[capacity];
        }

        void add(double ms, long ended) {
            if (size == latenciesMs.length) {
                latenciesMs = Arrays.copyOf(latenciesMs, size * 2);
                endedNanos = Arrays.copyOf(endedNanos, size * 2);
            }
            latenciesMs[size] = ms;
            endedNanos[size++] = ended;
        }

        /** How long before {@code now} each of {@code from..from+count} ended, in ms. */
        double[] agesMs(int from, int count, long now) {
            double[] ages = new double[count];
            for (int i = 0; i < count; i++) {
                ages[i] = Math.max(0, now - endedNanos[from + i]) / 1e6;
            }
            return ages;
        }
    }

    /** Latencies the governor has accepted. */
    public long reported() {
        return reported.get();
    }

    /** Latencies dropped because the governor could not be reached or was too far behind. */
    public long dropped() {
        return dropped.get();
    }

    private void loop() {
        try {
            while (running) {
                clock.sleepUntil(clock.nanoTime() + paceNanos);
                flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            flush();
        } finally {
            // the transport is this thread's alone: closed here, never under a send in flight from another thread
            transport.close();
        }
    }

    private void flush() {
        Batch batch;
        synchronized (lock) {
            batch = buffer;
            buffer = spare.latenciesMs.length >= batch.latenciesMs.length ? spare : new Batch(batch.latenciesMs.length);
        }
        int n = batch.size;
        int sent = 0;
        try {
            if (!registered && clock.nanoTime() >= retryAt) {
                transport.register(registration);
                registered = true;
                if (lastProblem != null) {
                    LOG.info("{} registered with the governor again", registration.model()); // after the warning
                } else {
                    LOG.debug("{} registered with the governor", registration.model());
                }
                lastProblem = null;
            }
            if (registered) {
                if (beginPending) {
                    beginPending = false;
                    transport.begin(registration.model());
                }
                while (sent < n) {
                    int count = Math.min(ControlProtocol.MAX_LATENCIES, n - sent);
                    Duration within = transport.report(registration.model(),
                            Arrays.copyOfRange(batch.latenciesMs, sent, sent + count),
                            batch.agesMs(sent, count, clock.nanoTime()), count);
                    paceNanos = within.isZero() ? flushNanos : Math.min(flushNanos, within.toNanos());
                    sent += count;
                    reported.addAndGet(count);
                }
            }
        } catch (IOException e) {
            lost(e.getMessage());
        } catch (RuntimeException e) {
            // a connection torn down under a send (a daemon stopping) may surface unchecked from the channel: the
            // same loss, one warning line, never a stack trace from this thread
            lost(e.toString());
        } finally {
            dropped.addAndGet(n - sent);
            batch.size = 0;
            spare = batch;
        }
    }

    /** The governor is gone or refused: register again after a pause, and say so once an outage. */
    private void lost(String problem) {
        registered = false;
        paceNanos = flushNanos;
        retryAt = clock.nanoTime() + RETRY.toNanos();
        try {
            transport.disconnect();
        } catch (RuntimeException ignored) {
            // a broken connection that will not even close: dropped with the reporter's reference to it
        }
        // one warning line an outage (a daemon stopping reads "closed the connection", then "refused", then "no
        // such file" as its socket goes): the rest of the outage's problems at debug, until it registers again
        if (lastProblem == null) {
            LOG.warn("{}: the governor is not taking reports ({}); {}", registration.model(), problem,
                    running ? "inference goes on, retrying" : "stopping");
        } else if (!Objects.equals(problem, lastProblem)) {
            LOG.debug("{}: the governor is still not taking reports ({})", registration.model(), problem);
        }
        lastProblem = problem == null ? "unknown" : problem;
    }

    /**
     * Sends what is left (at most a minute's worth of trying) and stops; the sending thread closes the transport as
     * it ends. Called from an interrupted thread (a stream being stopped), it still waits, and keeps the interrupt.
     */
    @Override
    public void close() {
        running = false;
        clock.wake();
        boolean interrupted = false;
        long deadline = System.nanoTime() + 60_000_000_000L;
        long left;
        while (flusher.isAlive() && (left = (deadline - System.nanoTime()) / 1_000_000) > 0) {
            try {
                clock.join(flusher, left);
            } catch (InterruptedException e) {
                interrupted = true; // the flag is cleared: the next join waits
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
