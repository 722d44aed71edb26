package io.joulegov.policies.select;

import io.joulegov.policies.profile.ProfileTable;

/** A latency budget: in milliseconds, or as a slowdown over the fastest point of the profile (Zeus's rule). */
public sealed interface Budget {

    /** The budget in ms for {@code table} at {@code percentile}. */
    double millis(ProfileTable table, Percentile percentile);

    /**
     * The budget a user or an application gave: exactly one of a deadline in ms and a slowdown is not null.
     *
     * @throws IllegalArgumentException when both or neither are given, or the one given is out of range
     */
    static Budget of(Double ms, Double slowdown) {
        if ((ms == null) == (slowdown == null)) {
            throw new IllegalArgumentException("give exactly one of a budget in ms and a slowdown");
        }
        return ms != null ? new Millis(ms) : new Slowdown(slowdown);
    }

    record Millis(double ms) implements Budget {
        public Millis {
            if (!(ms > 0) || Double.isInfinite(ms)) {
                throw new IllegalArgumentException("a budget must be a positive number of milliseconds, not " + ms);
            }
        }

        @Override
        public double millis(ProfileTable table, Percentile percentile) {
            return ms;
        }
    }

    record Slowdown(double factor) implements Budget {
        public Slowdown {
            if (!(factor >= 1) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("a slowdown must be a factor of at least 1, not " + factor);
            }
        }

        @Override
        public double millis(ProfileTable table, Percentile percentile) {
            return factor * percentile.of(table.fastest(percentile));
        }
    }
}
