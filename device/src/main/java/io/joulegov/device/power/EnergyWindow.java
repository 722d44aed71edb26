package io.joulegov.device.power;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named span of time whose energy is integrated (trapezoid on sample timestamps) from the samples taken while it
 * is open, including one taken as it opens and one as it closes. Windows nest freely. A missing sample is bridged:
 * the next good one is joined to the last good one.
 */
public final class EnergyWindow implements AutoCloseable {

    private final PowerSampler sampler;
    private final String name;
    private final long startNanos;
    private final String[] railNames;
    private final Trapezoid total = new Trapezoid();
    private final Trapezoid[] rails;
    private long samples;
    private long missing;
    private EnergyReading reading;

    EnergyWindow(PowerSampler sampler, String name, long startNanos, String[] railNames) {
        this.sampler = sampler;
        this.name = name;
        this.startNanos = startNanos;
        this.railNames = railNames;
        this.rails = new Trapezoid[railNames.length];
        for (int i = 0; i < rails.length; i++) {
            rails[i] = new Trapezoid();
        }
    }

    public String name() {
        return name;
    }

    /** Called by the sampler with its lock held. */
    void accept(long nanos, double totalWatts, double[] railWatts) {
        samples++;
        if (!total.add(nanos, totalWatts)) {
            missing++;
        }
        for (int i = 0; i < rails.length; i++) {
            rails[i].add(nanos, railWatts[i]);
        }
    }

    /** Closes the window (taking a last sample) and returns what it measured; later calls return the same. */
    public EnergyReading end() {
        synchronized (this) {
            if (reading == null) {
                long end = sampler.close(this);
                Map<String, Double> perRail = new LinkedHashMap<>();
                for (int i = 0; i < rails.length; i++) {
                    perRail.put(railNames[i], rails[i].joules);
                }
                reading = new EnergyReading(name, startNanos, end, total.joules, perRail, samples, missing);
            }
            return reading;
        }
    }

    @Override
    public void close() {
        end();
    }

    private static final class Trapezoid {
        double joules;
        long lastNanos;
        double lastWatts = Double.NaN;

        boolean add(long nanos, double watts) {
            if (Double.isNaN(watts)) {
                return false;
            }
            if (!Double.isNaN(lastWatts) && nanos > lastNanos) {
                joules += (lastWatts + watts) / 2 * ((nanos - lastNanos) / 1e9);
            }
            lastNanos = nanos;
            lastWatts = watts;
            return true;
        }
    }
}
