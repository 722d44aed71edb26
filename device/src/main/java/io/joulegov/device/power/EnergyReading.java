package io.joulegov.device.power;

import java.util.Map;

/**
 * What a closed energy window measured: board energy (the total rail, or the sum of rails where the board has no
 * total), energy per rail, the samples taken and how many of them a failed sensor cost.
 */
public record EnergyReading(String name, long startNanos, long endNanos, double joules, Map<String, Double> railJoules,
                            long samples, long missingSamples) {

    public EnergyReading {
        railJoules = Map.copyOf(railJoules);
    }

    public double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** Mean board power over the window. */
    public double meanWatts() {
        double s = seconds();
        return s > 0 ? joules / s : Double.NaN;
    }
}
