package io.joulegov.device.power;

import io.joulegov.device.board.PowerRail;
import io.joulegov.device.sysfs.SysfsAttribute;

import java.io.Closeable;
import java.io.IOException;

/** Reads one rail's power in watts, keeping its files open between reads. */
abstract class RailSensor implements Closeable {

    final PowerRail rail;

    RailSensor(PowerRail rail) {
        this.rail = rail;
    }

    /** Power now (or, for an energy counter, since the previous read); throws when the sensor fails. */
    abstract double readWatts(long nanoTime) throws IOException;

    @Override
    public abstract void close();

    static RailSensor open(PowerRail rail) {
        PowerRail.Reading r = rail.reading();
        if (r instanceof PowerRail.PowerFile f) {
            return new PowerFileSensor(rail, f);
        }
        if (r instanceof PowerRail.VoltageCurrent vc) {
            return new VoltageCurrentSensor(rail, vc);
        }
        return new EnergyCounterSensor(rail, (PowerRail.EnergyCounter) r);
    }

    private static final class PowerFileSensor extends RailSensor {
        private final SysfsAttribute file;
        private final double scale;

        PowerFileSensor(PowerRail rail, PowerRail.PowerFile f) {
            super(rail);
            this.file = new SysfsAttribute(f.file());
            this.scale = f.wattsPerUnit();
        }

        @Override
        double readWatts(long nanoTime) throws IOException {
            return file.readNumber() * scale;
        }

        @Override
        public void close() {
            file.close();
        }
    }

    private static final class VoltageCurrentSensor extends RailSensor {
        private final SysfsAttribute millivolts;
        private final SysfsAttribute milliamps;

        VoltageCurrentSensor(PowerRail rail, PowerRail.VoltageCurrent vc) {
            super(rail);
            this.millivolts = new SysfsAttribute(vc.millivolts());
            this.milliamps = new SysfsAttribute(vc.milliamps());
        }

        @Override
        double readWatts(long nanoTime) throws IOException {
            return millivolts.readNumber() * milliamps.readNumber() * 1e-6;
        }

        @Override
        public void close() {
            millivolts.close();
            milliamps.close();
        }
    }

    /** RAPL: power is the counter's increase (with wraparound at max_energy_range_uj) over the time since. */
    private static final class EnergyCounterSensor extends RailSensor {
        private final SysfsAttribute energy;
        private final SysfsAttribute range;
        private double maxRange = Double.NaN;
        private double lastMicrojoules = Double.NaN;
        private long lastNanos;
        private double lastWatts = Double.NaN;

        EnergyCounterSensor(PowerRail rail, PowerRail.EnergyCounter c) {
            super(rail);
            this.energy = new SysfsAttribute(c.microjoules());
            this.range = new SysfsAttribute(c.maxRange());
        }

        @Override
        double readWatts(long nanoTime) throws IOException {
            if (Double.isNaN(maxRange)) {
                maxRange = range.readNumber();
            }
            long since = nanoTime - lastNanos;
            if (since <= 0 && !Double.isNaN(lastWatts)) {
                return lastWatts; // a second read at the same instant (a window opening on a tick)
            }
            double uj = energy.readNumber();
            double previous = lastMicrojoules;
            lastMicrojoules = uj;
            lastNanos = nanoTime;
            if (Double.isNaN(previous) || since <= 0) {
                throw new IOException("first reading of an energy counter gives no power yet");
            }
            double delta = uj >= previous ? uj - previous : uj + maxRange - previous;
            lastWatts = delta * 1e-6 / (since * 1e-9);
            return lastWatts;
        }

        @Override
        public void close() {
            energy.close();
            range.close();
        }
    }
}
