package io.joulegov.profiler.attach;

import io.joulegov.device.DeviceException;
import io.joulegov.device.clock.Clock;
import io.joulegov.profiler.workload.InferenceSource;
import io.joulegov.profiler.workload.WorkloadInfo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An inference stream that another process runs and reports ({@code profile --attach}). Every reported latency is
 * placed at the moment its inference ended: the report's arrival less the age the client gives, or the arrival when
 * it gives none. So a batched report that straddles a clock switch is split where the switch was, and a window counts
 * exactly the inferences that ended inside it. Fed by the control socket's thread, read by the sweep's.
 */
public final class ReportedStream implements InferenceSource {

    /** The engine recorded in the key: the profiler saw only what the application reported. */
    public static final String ENGINE = "attached";

    private record Ended(long atNanos, double ms) {
    }

    /**
     * The most latencies kept (about 10 MB): between windows (the clocks settling, a pause near a thermal trip) nobody
     * takes them, and a fast stream would grow the list without end; the oldest half goes when it is full.
     */
    static final int MAX_KEPT = 1 << 18;

    private final String wanted;
    private final Clock clock;
    private final long stallNanos;
    private final long straggleNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<Ended> ended = new ArrayList<>();
    private WorkloadInfo info;
    private long lastReport;

    /**
     * @param model    the model to profile, or null for the first one registered
     * @param stall    how long without a report of it before the profile gives up
     * @param straggle how long a window waits, once it is closed, for reports of inferences that ended inside it
     */
    public ReportedStream(String model, Clock clock, Duration stall, Duration straggle) {
        this.wanted = model;
        this.clock = clock;
        this.stallNanos = stall.toNanos();
        this.straggleNanos = straggle.toNanos();
    }

    /**
     * An application registered a model: the first one (or the one asked for) is the stream profiled, others are
     * accepted and not measured. Returns null when accepted, else why not (the same model registered differently).
     */
    public String registered(String model, String hash, int batch) {
        lock.lock();
        try {
            if (wanted != null && !wanted.equals(model) || info != null && !info.model().equals(model)) {
                return null;
            }
            WorkloadInfo asked = new WorkloadInfo(model, hash, batch, List.of(), ENGINE, 0, 0);
            if (info == null) {
                info = asked;
                lastReport = clock.nanoTime();
                changed.signalAll();
                return null;
            }
            return info.equals(asked) ? null : "the profiler is measuring " + model + " with hash '" + info.hash()
                    + "' and batch " + info.batch() + ", not hash '" + hash + "' and batch " + batch;
        } finally {
            lock.unlock();
        }
    }

    /** Latencies (ms) of the profiled model's inferences and how long before now each ended (empty: just now). */
    public void reported(String model, List<Double> latenciesMs, List<Double> endedMsAgo) {
        long now = clock.nanoTime();
        lock.lock();
        try {
            if (info == null || !info.model().equals(model)) {
                return;
            }
            if (ended.size() + latenciesMs.size() > MAX_KEPT) {
                ended.subList(0, ended.size() / 2).clear();
            }
            for (int i = 0; i < latenciesMs.size(); i++) {
                long age = endedMsAgo.isEmpty() ? 0 : Math.round(endedMsAgo.get(i) * 1e6);
                ended.add(new Ended(now - age, latenciesMs.get(i)));
            }
            lastReport = now;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits (interruptibly, without end) until an application registers the model. */
    @Override
    public void start() throws InterruptedException {
        lock.lock();
        try {
            while (info == null) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The model being profiled, or null before an application registered it. */
    public String registeredModel() {
        lock.lock();
        try {
            return info == null ? null : info.model();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public WorkloadInfo info() {
        lock.lock();
        try {
            if (info == null) {
                throw new IllegalStateException("no application has registered yet");
            }
            return info;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void skip(int n) throws InterruptedException {
        time(n, () -> { });
    }

    @Override
    public double[] time(int n, Runnable windowEnd) throws InterruptedException {
        long start = clock.nanoTime();
        lock.lock();
        try {
            ended.removeIf(e -> e.atNanos() <= start);
            while (ended.size() < n) {
                awaitReport();
                ended.removeIf(e -> e.atNanos() <= start);
            }
        } finally {
            lock.unlock();
        }
        long end = clock.nanoTime();
        windowEnd.run();
        lock.lock();
        try {
            long deadline = end + straggleNanos;
            while (ended.stream().noneMatch(e -> e.atNanos() > end) && clock.nanoTime() < deadline) {
                changed.awaitNanos(deadline - clock.nanoTime());
            }
            double[] inside = ended.stream().filter(e -> e.atNanos() > start && e.atNanos() <= end)
                    .mapToDouble(Ended::ms).toArray();
            ended.removeIf(e -> e.atNanos() <= end);
            return inside;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for the next report; throws when the stream has been silent for longer than allowed. */
    private void awaitReport() throws InterruptedException {
        long silent = clock.nanoTime() - lastReport;
        if (silent >= stallNanos) {
            throw new DeviceException("no inference of " + info.model() + " reported for " + Duration.ofNanos(stallNanos)
                    .toString().substring(2).toLowerCase() + ": has the application stopped? The points measured so far"
                    + " are kept; run again with --resume once it runs");
        }
        changed.awaitNanos(stallNanos - silent);
    }
}
