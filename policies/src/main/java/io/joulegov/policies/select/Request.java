package io.joulegov.policies.select;

/**
 * What to choose: a policy, a budget (null for none) at a percentile, Zeus's eta and the power cap in watts (used by
 * {@link Policy#ZEUS} and {@link Policy#POWER_CAP} only).
 */
public record Request(Policy policy, Budget budget, Percentile percentile, double eta, double watts) {

    public Request {
        if (policy == Policy.ZEUS && !(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("--eta must be between 0 and 1, not " + eta);
        }
        if (policy == Policy.POWER_CAP && (!(watts > 0) || Double.isInfinite(watts))) {
            throw new IllegalArgumentException("power-cap needs --watts, a positive number, not " + watts);
        }
    }

    public static Request minEnergy(Budget budget, Percentile percentile) {
        return new Request(Policy.MIN_ENERGY, budget, percentile, 0.5, Double.NaN);
    }
}
