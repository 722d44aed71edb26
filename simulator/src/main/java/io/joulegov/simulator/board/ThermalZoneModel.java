package io.joulegov.simulator.board;

import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.tree.Attribute;

/** A first-order thermal zone: it settles towards ambient plus its share of the board's power. */
final class ThermalZoneModel {

    final BoardSpec.Zone spec;
    private final Attribute temp;
    double celsius;

    ThermalZoneModel(BoardSpec.Zone spec, Attribute temp, double ambient) {
        this.spec = spec;
        this.temp = temp;
        this.celsius = ambient;
    }

    void step(long dt, double ambient, double watts) {
        double settled = ambient + spec.kPerWatt() * watts;
        celsius = settled + (celsius - settled) * Math.exp(-dt / (spec.tauSeconds() * 1e9));
    }

    void publish() {
        temp.write(spec.offline() ? -256000 : Math.round(celsius * 1000));
    }
}
