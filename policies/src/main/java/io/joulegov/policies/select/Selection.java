package io.joulegov.policies.select;

import io.joulegov.policies.profile.Measurement;

/**
 * The outcome of a choice: the chosen point, or none when no point meets the request; in both cases the budget (ms,
 * NaN without one) and the fastest point with its latency at the percentile, so that an infeasible answer can say
 * how close the profile comes.
 */
public record Selection(Measurement chosen, double budgetMs, Percentile percentile, Measurement fastest) {

    public boolean feasible() {
        return chosen != null;
    }

    /** One line for a person: what was chosen, or why nothing was. */
    public String describe() {
        if (feasible()) {
            return String.format("%s: %.2f ms at %s, %.4f J per inference, %.2f W", chosen.point(), percentile.of(chosen),
                    percentile.label(), chosen.energyJ(), chosen.powerW());
        }
        return String.format("no operating point meets %.2f ms at %s; the fastest, %s, takes %.2f ms", budgetMs,
                percentile.label(), fastest.point(), percentile.of(fastest));
    }
}
