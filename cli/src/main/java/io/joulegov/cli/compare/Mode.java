package io.joulegov.cli.compare;

import java.util.Locale;

/** How a comparison run holds the board. */
public enum Mode {
    /** The emulated default governors (schedutil, nvhost_podgov). */
    DVFS,
    /** Every clock at its maximum, as NVIDIA's jetson_clocks script leaves the board. */
    JETSON_CLOCKS,
    /** The board's lowest nvpmodel power mode under the default governors. */
    LOW_POWER,
    /** The profile's choice held fixed: the founding study's method. */
    STATIC,
    /** The daemon's governor core. */
    ADAPTIVE,
    /** The cheapest fixed point that meets the budget over the very same run. */
    ORACLE;

    /** The name in tables and JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
