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
     * profile lacks the point, or none has the board's idle power there (profiles older than idle power).
     */
    public double wattsAt(OperatingPoint point) {
        double watts = 0;
        double busy = 0;
        double idleW = Double.NaN;
        for (Member m : members) {
            Measurement row = m.profile().at(point).orElse(null);
            if (row == null) {
                return Double.NaN;
            }
            watts += m.ratePerS() * row.energyJ();
            busy += m.ratePerS() * row.meanMs() / 1e3;
            if (row.hasIdlePower() && Double.isNaN(idleW)) {
                idleW = row.idleW(); // the board's, whichever member measured it
            }
        }
        return watts + idleW * Math.max(0, 1 - busy);
    }
}
