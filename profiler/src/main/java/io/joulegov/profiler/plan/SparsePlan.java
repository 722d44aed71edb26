package io.joulegov.profiler.plan;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import io.joulegov.policies.surrogate.Surrogate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Measures a small part of the grid: a space-filling design first (each axis at four levels), then, with
 * surrogate models fitted to what is measured, wherever the minimum-energy point for a budget between 1.1x and 1.6x
 * the fastest latency could still lie: the predicted choice if it is not measured yet, or a point predicted to beat a
 * measured choice within the models' error. It stops when every such budget's choice is measured and unbeaten, or
 * when {@code share} of the grid is measured; but before it ends it measures every budget's choice that is still
 * predicted and whose predicted latency lies within the latency model's error of that budget, so that no choice
 * rests on a prediction that could fall on the wrong side of its budget (at most one point per budget beyond the share).
 */
public final class SparsePlan implements SweepPlan {

    static final double[] SLOWDOWNS = {1.1, 1.2, 1.3, 1.4, 1.5, 1.6};
    static final Percentile PERCENTILE = Percentile.P95;

    private final List<OperatingPoint> grid;
    private final List<OperatingPoint> design;
    private final int maxPoints;
    private final List<Long> cpus;
    private final List<Long> gpus;
    private final List<Long> emcs;

    public SparsePlan(List<OperatingPoint> grid, double share) {
        this.grid = List.copyOf(grid);
        this.cpus = axis(grid, OperatingPoint::cpuKHz);
        this.gpus = axis(grid, OperatingPoint::gpuHz);
        this.emcs = axis(grid, OperatingPoint::emcHz);
        this.design = design(grid);
        this.maxPoints = Math.max(design.size() + 1, (int) Math.floor(share * grid.size()));
    }

    @Override
    public List<OperatingPoint> grid() {
        return grid;
    }

    /** Its share of the grid in points (it may measure one more per budget whose choice straddles its budget). */
    public int maxPoints() {
        return maxPoints;
    }

    @Override
    public List<OperatingPoint> next(List<Measurement> measured) {
        Set<OperatingPoint> done = measured.stream().map(Measurement::point).collect(Collectors.toSet());
        List<OperatingPoint> left = design.stream().filter(p -> !done.contains(p)).toList();
        if (!left.isEmpty()) {
            return left.subList(0, 1);
        }
        Surrogate surrogate = Surrogate.fit(measured);
        List<Measurement> filled = surrogate.fill(measured, grid);
        ProfileTable table = new ProfileTable(KEY, filled);
        if (measured.size() >= maxPoints) {
            return straddling(table, surrogate, measured.size());
        }
        double latencyMargin = surrogate.latencyError();
        double energyMargin = surrogate.latencyError() + surrogate.powerError();
        Set<Measurement> candidates = new LinkedHashSet<>();
        for (double s : SLOWDOWNS) {
            Selection choice = Selector.select(table, Request.minEnergy(new Budget.Slowdown(s), PERCENTILE));
            if (!choice.feasible()) {
                continue;
            }
            if (choice.chosen().predicted()) {
                candidates.add(choice.chosen());
                continue;
            }
            for (Measurement m : filled) {
                boolean couldMeet = PERCENTILE.of(m) * (1 - latencyMargin) <= choice.budgetMs();
                boolean couldBeat = m.energyJ() * (1 - energyMargin) < choice.chosen().energyJ();
                // a neighbour of the choice that the models rank close to it: the surface is checked around the
                // optimum, where the models' errors matter most
                boolean neighbour = adjacent(m.point(), choice.chosen().point())
                        && m.energyJ() <= choice.chosen().energyJ() * (1 + energyMargin + 0.02);
                if (m.predicted() && couldMeet && (couldBeat || neighbour)) {
                    candidates.add(m);
                }
            }
        }
        if (candidates.isEmpty()) {
            // every choice is measured and unbeaten by the models: check the choices' neighbours that could meet
            // their budgets, since the models' shape is least sure right there (the Xavier NX's voltage knee)
            for (double s : SLOWDOWNS) {
                Selection choice = Selector.select(table, Request.minEnergy(new Budget.Slowdown(s), PERCENTILE));
                if (!choice.feasible()) {
                    continue;
                }
                for (Measurement m : filled) {
                    if (m.predicted() && adjacent(m.point(), choice.chosen().point())
                            && PERCENTILE.of(m) * (1 - latencyMargin) <= choice.budgetMs()) {
                        candidates.add(m);
                    }
                }
            }
        }
        return candidates.stream().min(Comparator.comparingDouble(Measurement::energyJ)).map(m -> List.of(m.point()))
                .orElseGet(() -> straddling(table, surrogate, measured.size()));
    }

    /**
     * A budget's choice that is predicted and could, within the latency model's error, fall on either side of its
     * budget: it is measured before the plan ends (the cheapest first); none when every choice is safe.
     */
    private List<OperatingPoint> straddling(ProfileTable table, Surrogate surrogate, int measured) {
        if (measured >= maxPoints + SLOWDOWNS.length) {
            return List.of(); // one more point per budget at most: the models' error estimate moves as points come in
        }
        return java.util.Arrays.stream(SLOWDOWNS)
                .mapToObj(s -> Selector.select(table, Request.minEnergy(new Budget.Slowdown(s), PERCENTILE)))
                .filter(c -> c.feasible() && c.chosen().predicted()
                        && surrogate.straddles(PERCENTILE.of(c.chosen()), c.budgetMs()))
                .map(Selection::chosen).min(Comparator.comparingDouble(Measurement::energyJ))
                .map(m -> List.of(m.point())).orElse(List.of());
    }

    /** One step apart on one axis of the grid, the others equal. */
    private boolean adjacent(OperatingPoint a, OperatingPoint b) {
        int steps = Math.abs(cpus.indexOf(a.cpuKHz()) - cpus.indexOf(b.cpuKHz()))
                + Math.abs(gpus.indexOf(a.gpuHz()) - gpus.indexOf(b.gpuHz()))
                + Math.abs(emcs.indexOf(a.emcHz()) - emcs.indexOf(b.emcHz()));
        return steps == 1;
    }

    /** Each axis at its ends and two thirds between (a 4 x 4 design; 4 x 4 x 2 with the EMC at its ends). */
    static List<OperatingPoint> design(List<OperatingPoint> grid) {
        List<Long> cpus = axis(grid, OperatingPoint::cpuKHz);
        List<Long> gpus = axis(grid, OperatingPoint::gpuHz);
        List<Long> emcs = axis(grid, OperatingPoint::emcHz);
        List<OperatingPoint> out = new ArrayList<>();
        for (long c : spread(cpus)) {
            for (long g : spread(gpus)) {
                if (emcs.isEmpty()) {
                    out.add(OperatingPoint.of(c, g));
                } else {
                    out.add(new OperatingPoint(c, g, emcs.get(0)));
                    out.add(new OperatingPoint(c, g, emcs.get(emcs.size() - 1)));
                }
            }
        }
        return out.stream().distinct().filter(grid::contains).toList();
    }

    private static List<Long> axis(List<OperatingPoint> grid, java.util.function.Function<OperatingPoint, Long> value) {
        return new ArrayList<>(grid.stream().map(value).filter(v -> v != null).collect(Collectors.toCollection(TreeSet::new)));
    }

    private static List<Long> spread(List<Long> axis) {
        int n = axis.size() - 1;
        return List.of(axis.get(0), axis.get(n / 3), axis.get(2 * n / 3), axis.get(n)).stream().distinct().toList();
    }

    /** The selector needs a key; a sparse plan's decisions do not depend on it. */
    private static final ProfileKey KEY = new ProfileKey("plan", null, null, null, List.of(), List.of(), List.of(), "plan",
            "00000000", 1, List.of(), "plan", 1, 1, 0, 0, 0, ProfileKey.VIRTUAL);
}
