package io.joulegov.device.board;

import java.nio.file.Path;

/** A power rail and the files its power is read from. */
public record PowerRail(String name, RailRole role, Reading reading) {

    /** How a rail's power is read. */
    public sealed interface Reading permits PowerFile, VoltageCurrent, EnergyCounter {
    }

    /** One file holding power; {@code wattsPerUnit} 1e-3 for INA3221 IIO (mW), 1e-6 for hwmon (uW). */
    public record PowerFile(Path file, double wattsPerUnit) implements Reading {
    }

    /** Bus voltage in mV and current in mA (INA3221 hwmon): P = V x I. */
    public record VoltageCurrent(Path millivolts, Path milliamps) implements Reading {
    }

    /** A cumulative energy counter in uJ that wraps at {@code maxRange} (RAPL). */
    public record EnergyCounter(Path microjoules, Path maxRange) implements Reading {
    }
}
