package io.joulegov.policies.mix;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;

import java.util.List;

/**
 * Several models running on one board at once, each at its own arrival rate, and what their profiles (each made with
 * the model alone) predict the board draws while they run: each member's busy energy per inference times its rate,
 * plus the board's idle power over the share of time no member infers. Busy time is summed as if the members ran one
 * after another; side by side their busy time overlaps, and the static power of the overlap is counted once per
 * member: an over-estimate where they overlap much, and a prior (issue 28: where a new mix starts before it is
 * measured), not the mix's measurement.
 */
public record Mix(List<Member> members) {

    /** One model of the mix: its profile (made alone) and its requests per second. */
    public record Member(ProfileTable profile, double ratePerS) {

        public Member {
            if (!(ratePerS > 0)) {
                throw new IllegalArgumentException("a member's rate must be above 0, not " + ratePerS);
            }
        }

        public String model() {
            return profile.key().model();
        }
    }

    public Mix {
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a mix has at least one member");
        }
    }

    /**
     * The board's mean power (W) with the mix at {@code point}, from the members' profiles; NaN when a member's
     * profile lacks the point ({@link #watts}).
     */
    public double wattsAt(OperatingPoint point) {
        List<Measurement> rows = new java.util.ArrayList<>(members.size());
        double[] rates = new double[members.size()];
        for (int i = 0; i < members.size(); i++) {
            Measurement row = members.get(i).profile().at(point).orElse(null);
            if (row == null) {
                return Double.NaN;
            }
            rows.add(row);
            rates[i] = members.get(i).ratePerS();
        }
        return watts(rows, rates);
    }

    /**
     * The board's mean power (W) with models whose profile rows at one point are {@code rows} running at
     * {@code ratesPerS}: busy energy at their rates, and the board's idle power (where a row measured it; none
     * otherwise) over the time no member infers.
     */
    public static double watts(List<Measurement> rows, double[] ratesPerS) {
        double watts = 0;
        double busy = 0;
        double idleW = 0;
        boolean idleKnown = false;
        for (int i = 0; i < rows.size(); i++) {
            Measurement row = rows.get(i);
            watts += ratesPerS[i] * row.energyJ();
            busy += ratesPerS[i] * row.meanMs() / 1e3;
            if (row.hasIdlePower() && !idleKnown) {
                idleW = row.idleW(); // the board's, whichever member measured it
                idleKnown = true;
            }
        }
        return idleKnown ? watts + idleW * Math.max(0, 1 - busy) : watts;
    }
}
