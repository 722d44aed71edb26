package io.joulegov.policies.select;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileTable;

import java.util.List;

/** Chooses an operating point from a profile: the points that meet the request, then the best by its policy. */
public final class Selector {

    private Selector() {
    }

    public static Selection select(ProfileTable table, Request request) {
        Percentile q = request.percentile();
        double budget = request.budget() == null ? Double.NaN : request.budget().millis(table, q);
        double maxPower = table.maxPowerW();
        Measurement best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (Measurement m : table.rows()) {
            if (!Double.isNaN(budget) && q.of(m) > budget) {
                continue;
            }
            if (request.policy() == Policy.POWER_CAP && m.powerW() > request.watts()) {
                continue;
            }
            double cost = cost(request, m, maxPower);
            if (best == null || cost < bestCost || (cost == bestCost && breaksTie(m, best, q))) {
                best = m;
                bestCost = cost;
            }
        }
        return new Selection(best, budget, q, table.fastest(q));
    }

    static double cost(Request request, Measurement m, double maxPower) {
        double t = m.meanMs() / 1e3;
        return switch (request.policy()) {
            case MIN_ENERGY -> m.energyJ();
            case MIN_EDP -> m.energyJ() * t;
            case MIN_ED2P -> m.energyJ() * t * t;
            case ZEUS -> request.eta() * m.energyJ() + (1 - request.eta()) * maxPower * t;
            case POWER_CAP, PERFORMANCE -> request.percentile().of(m);
        };
    }

    /** Equal cost: less energy, then lower latency at the percentile, then lower clocks. */
    private static boolean breaksTie(Measurement m, Measurement best, Percentile q) {
        if (m.energyJ() != best.energyJ()) {
            return m.energyJ() < best.energyJ();
        }
        if (q.of(m) != q.of(best)) {
            return q.of(m) < q.of(best);
        }
        return m.point().compareTo(best.point()) < 0;
    }

    /**
     * The Pareto frontier of energy against latency at {@code q}: the points no other point beats on both, by
     * ascending latency (and so descending energy).
     */
    public static List<Measurement> paretoFrontier(ProfileTable table, Percentile q) {
        List<Measurement> sorted = table.rows().stream().sorted((a, b) -> {
            int c = Double.compare(q.of(a), q.of(b));
            return c != 0 ? c : Double.compare(a.energyJ(), b.energyJ());
        }).toList();
        List<Measurement> frontier = new java.util.ArrayList<>();
        double lowestEnergy = Double.POSITIVE_INFINITY;
        for (Measurement m : sorted) {
            if (m.energyJ() < lowestEnergy) {
                frontier.add(m);
                lowestEnergy = m.energyJ();
            }
        }
        return frontier;
    }
}
