package io.joulegov.cli.compare;

import io.joulegov.simulator.spec.BoardSpec;

/**
 * How a comparison run holds the board: a kind, the name it has in tables and JSON, and for a power mode the
 * nvpmodel mode's id.
 */
public record Mode(Kind kind, String label, int powerMode) {

    public enum Kind {
        /** The emulated default governors (schedutil, nvhost_podgov) in the mode the board boots in. */
        DVFS,
        /** Every clock at its maximum, as NVIDIA's jetson_clocks script leaves the board. */
        JETSON_CLOCKS,
        /** Another nvpmodel power mode under the default governors. */
        POWER_MODE,
        /** The profile's choice held fixed: the founding study's method. */
        STATIC,
        /** The daemon's governor loop with a CPU x GPU profile, the EMC left to the kernel. */
        EMC_BLIND,
        /** The daemon's governor loop. */
        ADAPTIVE,
        /**
         * A pipeline under the daemon's governor loop as it governs several models today: each member's own choice
         * (from its profile made alone), the per-clock maximum of them held.
         */
        MAX_OF_SINGLES,
        /** The cheapest fixed point that meets the budget over the very same run. */
        ORACLE
    }

    public static final Mode DVFS = new Mode(Kind.DVFS, "dvfs", -1);
    public static final Mode JETSON_CLOCKS = new Mode(Kind.JETSON_CLOCKS, "jetson-clocks", -1);
    public static final Mode STATIC = new Mode(Kind.STATIC, "static", -1);
    public static final Mode EMC_BLIND = new Mode(Kind.EMC_BLIND, "emc-blind", -1);
    public static final Mode ADAPTIVE = new Mode(Kind.ADAPTIVE, "adaptive", -1);
    public static final Mode ORACLE = new Mode(Kind.ORACLE, "oracle", -1);
    public static final Mode MAX_OF_SINGLES = new Mode(Kind.MAX_OF_SINGLES, "max-of-singles", -1);

    /** An nvpmodel mode, named {@code mode-NAME} after nvpmodel's name (mode-5W, mode-MAXN_SUPER). */
    public static Mode of(BoardSpec.PowerMode mode) {
        return new Mode(Kind.POWER_MODE, "mode-" + mode.name(), mode.id());
    }

    /** Whether the daemon's governor loop holds the board in this mode. */
    public boolean governed() {
        return kind == Kind.ADAPTIVE || kind == Kind.EMC_BLIND || kind == Kind.MAX_OF_SINGLES;
    }
}
