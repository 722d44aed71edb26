package io.joulegov.simulator.spec;

/**
 * Power of one clock domain: dynamic {@code k V(f)^2 f a} while busy with activity a, plus a clock-tree term
 * {@code kIdle V(f)^2 f} whenever it is clocked. The voltage is flat at {@code vMin} up to {@code kneeMHz}, then
 * rises linearly to {@code vMax} at the top of the table: the shape of a DVFS voltage-frequency curve.
 */
public record DomainPower(double k, double kIdle, double vMin, double vMax, double kneeMHz, double maxMHz) {

    public double volts(double mhz) {
        if (mhz <= kneeMHz) {
            return vMin;
        }
        return vMin + (vMax - vMin) * (mhz - kneeMHz) / (maxMHz - kneeMHz);
    }

    /** Watts at {@code mhz} with the domain busy a share {@code activity} of the time. */
    public double watts(double mhz, double activity) {
        double v = volts(mhz);
        return v * v * mhz * (k * activity + kIdle);
    }
}
