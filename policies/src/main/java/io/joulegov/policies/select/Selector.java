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
        List<Measurement> rows = table.rows();
        // one plain pass for what the budget and the costs depend on: this runs on every decision
        Measurement fastest = null;
        double maxPower = 0;
        for (Measurement m : rows) {
            if (fastest == null || q.of(m) < q.of(fastest)
                    || (q.of(m) == q.of(fastest) && (m.energyJ() < fastest.energyJ()
                    || (m.energyJ() == fastest.energyJ() && m.point().compareTo(fastest.point()) < 0)))) {
                fastest = m;
            }
            maxPower = Math.max(maxPower, m.powerW());
        }
        if (fastest == null) {
            throw new IllegalStateException("empty profile");
        }
        double budget = request.budget() == null ? Double.NaN
                : request.budget() instanceof Budget.Slowdown s ? s.factor() * q.of(fastest)
                : request.budget().millis(table, q);
        Measurement best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (Measurement m : rows) {
            if (!Double.isNaN(budget) && q.of(m) > budget) {
                continue;
            }
            if (request.objective() == Objective.POWER_CAP && m.powerW() > request.watts()) {
                continue;
            }
            double cost = cost(request, m, maxPower);
            if (best == null || cost < bestCost || (cost == bestCost && breaksTie(m, best, q))) {
                best = m;
                bestCost = cost;
            }
        }
        return new Selection(best, budget, q, fastest);
    }

    static double cost(Request request, Measurement m, double maxPower) {
        double t = m.meanMs() / 1e3;
        return switch (request.objective()) {
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
