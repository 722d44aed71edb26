package io.joulegov.policies.select;

import java.util.Locale;

/**
 * How to choose among the points that meet the budget. Objectives use the mean latency T and the energy per
 * inference E; the budget itself applies at the request's percentile.
 */
public enum Objective {
    /** Least energy: the founding study's rule. */
    MIN_ENERGY,
    /** Least energy-delay product E x T. */
    MIN_EDP,
    /** Least E x T^2. */
    MIN_ED2P,
    /** Zeus's cost eta x E + (1 - eta) x MaxPower x T, MaxPower the profile's highest mean power. */
    ZEUS,
    /** The fastest point whose mean power is at most W watts. */
    POWER_CAP,
    /** The fastest point. */
    PERFORMANCE;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Objective parse(String text) {
        for (Objective p : values()) {
            if (p.label().equals(text)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown policy '" + text
                + "' (min-energy, min-edp, min-ed2p, zeus, power-cap, performance)");
    }
}
