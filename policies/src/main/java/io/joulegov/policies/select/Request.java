package io.joulegov.policies.select;

/**
 * What to choose: an objective, a budget (null for none) at a percentile, Zeus's eta and the power cap in watts (used by
 * {@link Objective#ZEUS} and {@link Objective#POWER_CAP} only).
 */
public record Request(Objective objective, Budget budget, Percentile percentile, double eta, double watts) {

    public Request {
        if (objective == Objective.ZEUS && !(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("Zeus's eta must be between 0 and 1, not " + eta);
        }
        if (objective == Objective.POWER_CAP && (!(watts > 0) || Double.isInfinite(watts))) {
            throw new IllegalArgumentException("power-cap needs a cap in watts, a positive number, not " + watts);
        }
    }

    public static Request minEnergy(Budget budget, Percentile percentile) {
        return new Request(Objective.MIN_ENERGY, budget, percentile, 0.5, Double.NaN);
    }
}
