package io.joulegov.simulator.board;

import io.joulegov.device.board.RailRole;
import io.joulegov.simulator.tree.Attribute;

/** One INA3221 channel: bus voltage, current, and (outside hwmon) power, in the driver's units. */
record InaChannel(RailRole role, Attribute power, Attribute volts, Attribute amps) {

    void publish(double watts, double busVolts) {
        long mv = Math.round(busVolts * 1000);
        long ma = Math.round(watts / busVolts * 1000);
        volts.write(mv);
        amps.write(ma);
        if (power != null) {
            power.write(mv * ma / 1000);
        }
    }
}
