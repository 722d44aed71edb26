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
 * Measures a small part of the grid: a space-filling design first (each axis at up to four levels), then, with
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
    /** Points it measures at most, the budgets' straddling choices included. */
    private final int cap;
    private final List<Long> cpus;
    private final List<Long> gpus;
    private final List<Long> emcs;

    public SparsePlan(List<OperatingPoint> grid, double share) {
        this(grid, (int) Math.floor(share * grid.size()), SLOWDOWNS.length);
    }

    /** Measures {@code points} (at least the design and one more), then at most {@code straddling} choices that straddle their budget. */
    private SparsePlan(List<OperatingPoint> grid, int points, int straddling) {
        this.grid = List.copyOf(grid);
        this.cpus = axis(grid, OperatingPoint::cpuKHz);
        this.gpus = axis(grid, OperatingPoint::gpuHz);
        this.emcs = axis(grid, OperatingPoint::emcHz);
        this.design = design(grid);
        this.maxPoints = Math.max(design.size() + 1, points);
        this.cap = maxPoints + straddling;
    }

    /**
     * The plan for a grid: 10% of a CPU x GPU grid (and a point per budget more); 3% of a CPU x GPU x EMC grid, the
     * points per budget included, since the grid is larger and its surface no less smooth (PowerTrain predicted 4,368
     * Orin power modes from 50).
     */
    public static SparsePlan forGrid(List<OperatingPoint> grid) {
        if (axis(grid, OperatingPoint::emcHz).size() < 2) {
            return new SparsePlan(grid, 0.10);
        }
        int points = (int) Math.floor(0.03 * grid.size());
        return new SparsePlan(grid, points - STRADDLING_3D, STRADDLING_3D);
    }

    /** With the EMC, most of the 3% goes to the choices themselves; this many are kept for straddling ones. */
    private static final int STRADDLING_3D = 3;

    @Override
    public List<OperatingPoint> grid() {
        return grid;
    }

    /** Its share of the grid in points (it may measure a few more whose choices straddle their budgets: see {@link #forGrid}). */
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
        if (measured >= cap) {
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

    /**
     * Each axis at its ends and two thirds between. CPU x GPU: every pair (4 x 4). With the EMC: the surrogates'
     * terms are per domain, with no products of two clocks, so each level of the CPU and of the GPU is measured twice
     * at the top EMC, paired with two levels of the other (eight points), and each other level of the EMC once with
     * the CPU and GPU two thirds up: 11 points where a full factorial would take 64.
     */
    static List<OperatingPoint> design(List<OperatingPoint> grid) {
        List<Long> cpus = spread(axis(grid, OperatingPoint::cpuKHz));
        List<Long> gpus = spread(axis(grid, OperatingPoint::gpuHz));
        List<Long> emcs = axis(grid, OperatingPoint::emcHz);
        List<OperatingPoint> out = new ArrayList<>();
        if (emcs.size() < 2) {
            Long emc = emcs.isEmpty() ? null : emcs.get(0);
            for (long c : cpus) {
                for (long g : gpus) {
                    out.add(new OperatingPoint(c, g, emc));
                }
            }
        } else {
            long top = emcs.get(emcs.size() - 1);
            for (int i = 0; i < cpus.size(); i++) {
                out.add(new OperatingPoint(cpus.get(i), gpus.get(i % gpus.size()), top));
                out.add(new OperatingPoint(cpus.get(i), gpus.get((i + 2) % gpus.size()), top));
            }
            long c = cpus.get((cpus.size() - 1) * 2 / 3);
            long g = gpus.get((gpus.size() - 1) * 2 / 3);
            for (long e : spread(emcs)) {
                out.add(new OperatingPoint(c, g, e));
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
