package io.joulegov.simulator.model;

import java.util.Locale;

/** What can happen to a board while it runs, for tests and comparisons. */
public enum Disturbance {
    NONE,
    /** The ambient temperature steps up (a hot enclosure in the sun): zones pass their passive trip and throttle. */
    THERMAL,
    /** A co-runner takes 40% of the CPU: the CPU part of each inference takes 1/0.6 as long. */
    CPU_CONTENTION;

    /** The ambient rise of {@link #THERMAL}, in kelvin. */
    public static final double THERMAL_STEP_K = 55;
    /** The CPU share the co-runner of {@link #CPU_CONTENTION} takes. */
    public static final double CONTENTION_SHARE = 0.4;

    public static Disturbance parse(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
