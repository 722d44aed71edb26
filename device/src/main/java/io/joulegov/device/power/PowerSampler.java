package io.joulegov.device.power;

import io.joulegov.device.board.PowerRail;
import io.joulegov.device.board.RailRole;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Threads;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every power rail on its own thread at a fixed period (default 100 ms, as the founding study did; down
 * to 10 ms) and feeds the samples to the open {@link EnergyWindow}s. Board power is the total rail
 * ({@code POM_5V_IN} / {@code VDD_IN}) where there is one, else the sum of the rails. A sensor that fails costs one
 * sample and a counter, never the sampler.
 */
public final class PowerSampler implements AutoCloseable {

    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(100);
    public static final Duration MIN_PERIOD = Duration.ofMillis(10);

    private static final Logger LOG = LoggerFactory.getLogger(PowerSampler.class);

    private final Clock clock;
    private final long periodNanos;
    private final List<RailSensor> sensors = new ArrayList<>();
    private final String[] railNames;
    private final int totalIndex;
    private final long[] failures;
    private final boolean[] failing;
    private final double[] railWatts;
    private final List<EnergyWindow> open = new ArrayList<>();
    private Thread thread;
    private long samples;
    private double lastTotalWatts = Double.NaN;
    private long lastTotalNanos = Long.MIN_VALUE;
    private double joules;
    private volatile boolean closed;

    public PowerSampler(List<PowerRail> rails, Clock clock, Duration period) {
        if (period.compareTo(MIN_PERIOD) < 0) {
            throw new IllegalArgumentException("sampling period " + period.toMillis() + " ms is below the 10 ms minimum");
        }
        this.clock = clock;
        this.periodNanos = period.toNanos();
        int total = -1;
        for (PowerRail rail : rails) {
            if (total < 0 && rail.role() == RailRole.TOTAL) {
                total = sensors.size();
            }
            sensors.add(RailSensor.open(rail));
        }
        this.totalIndex = total;
        this.railNames = rails.stream().map(PowerRail::name).toArray(String[]::new);
        this.failures = new long[rails.size()];
        this.failing = new boolean[rails.size()];
        this.railWatts = new double[rails.size()];
    }

    public Duration period() {
        return Duration.ofNanos(periodNanos);
    }

    /** Starts the sampling thread. */
    public synchronized PowerSampler start() {
        if (thread != null) {
            throw new IllegalStateException("sampler already started");
        }
        sample(clock.nanoTime());
        thread = clock.newThread("joulegov-power-sampler", this::run);
        thread.start();
        return this;
    }

    /** Opens a named window; it takes a sample now and every period until {@link EnergyWindow#end()}. */
    public synchronized EnergyWindow openWindow(String name) {
        long now = clock.nanoTime();
        EnergyWindow window = new EnergyWindow(this, name, now, railNames);
        open.add(window);
        sample(now);
        return window;
    }

    /** Samples taken so far (including those some rail failed in). */
    public synchronized long samples() {
        return samples;
    }

    /** Failed reads per rail since start. */
    public synchronized Map<String, Long> failures() {
        Map<String, Long> out = new TreeMap<>();
        for (int i = 0; i < railNames.length; i++) {
            out.put(railNames[i], failures[i]);
        }
        return out;
    }

    /** Board energy since start: the trapezoid over the good samples of the total (or the summed rails). */
    public synchronized double joules() {
        return joules;
    }

    /** When the sample that {@link #joules()} counts up to was taken (clock nanos; Long.MIN_VALUE before the first). */
    public synchronized long joulesUntilNanos() {
        return lastTotalNanos;
    }

    /** Each rail's power at the latest sample (NaN for a rail that failed to read then). */
    public synchronized Map<String, Double> lastRailWatts() {
        Map<String, Double> out = new TreeMap<>();
        for (int i = 0; i < railNames.length; i++) {
            out.put(railNames[i], railWatts[i]);
        }
        return out;
    }

    /** Board power at the latest sample, NaN before the first good one. */
    public synchronized double lastWatts() {
        return lastTotalWatts;
    }

    synchronized long close(EnergyWindow window) {
        long now = clock.nanoTime();
        sample(now);
        open.remove(window);
        return now;
    }

    Thread thread() {
        return thread;
    }

    private void run() {
        long next = clock.nanoTime() + periodNanos;
        try {
            while (!closed) {
                clock.sleepUntil(next);
                long now = clock.nanoTime();
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    sample(now);
                }
                next += periodNanos;
                if (next <= now) {
                    // fell behind (a stalled machine): skip the missed ticks rather than burst to catch up
                    next = now + periodNanos;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sample(long now) {
        samples++;
        double sum = 0;
        boolean sumComplete = true;
        for (int i = 0; i < sensors.size(); i++) {
            double w;
            try {
                w = sensors.get(i).readWatts(now);
                if (failing[i]) {
                    failing[i] = false;
                    LOG.info("power rail {} reads again", railNames[i]);
                }
            } catch (IOException e) {
                w = Double.NaN;
                failures[i]++;
                if (!failing[i]) {
                    failing[i] = true;
                    LOG.warn("power rail {} failed to read ({}); its samples are counted as missing", railNames[i], e.getMessage());
                }
            }
            railWatts[i] = w;
            if (Double.isNaN(w)) {
                sumComplete = false;
            } else {
                sum += w;
            }
        }
        double total = totalIndex >= 0 ? railWatts[totalIndex] : (sumComplete && !sensors.isEmpty() ? sum : Double.NaN);
        if (!Double.isNaN(total)) {
            if (lastTotalNanos != Long.MIN_VALUE && now > lastTotalNanos) {
                joules += (now - lastTotalNanos) / 1e9 * (total + lastTotalWatts) / 2;
            }
            lastTotalWatts = total;
            lastTotalNanos = now;
        }
        for (EnergyWindow w : open) {
            w.accept(now, total, railWatts);
        }
    }

    /** Stops the thread and closes the rail files; open windows keep what they have. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        Threads.stop(t, Duration.ofSeconds(5));
        synchronized (this) {
            sensors.forEach(RailSensor::close);
        }
    }
}
