package io.joulegov.policies.online;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.surrogate.Surrogate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model registered without a profile, learning one on the board without leaving its budget (docs/DESIGN.md,
 * "No profile"). It starts at the fastest point and stays there until the latency at the budget's percentile is
 * known there (which also resolves a slowdown budget); then it walks down each clock axis from the fastest point,
 * the other clock at its top, measuring latency and energy per inference at each step. A step is taken only when it
 * is certain to keep the budget: latency is work over frequency per domain ({@code a + b/fcpu + c/fgpu}), so lowering
 * one clock by a factor can lengthen an inference by at most that factor. The two lines are what the sparse sweep's
 * surrogate models (additive in the two clocks) need; the profile they give (measured rows, the rest predicted with
 * the models' error) is handed to the controller, which goes on learning from it. A budget that even the fastest
 * point misses is reported, and the fastest point held; nothing more is recorded there until it is measured again
 * ({@link #retry}, when the controller says so), from fresh samples, and if the budget is met then, the walk goes on.
 *
 * <p>Its memory is bounded: only the fastest point keeps latencies (a ring of the most recent, enough for its tail),
 * every other point their sum and count; there is one point per grid point at most.
 */
final class Discovery {

    final String name;
    final ProfileKey key;
    final Budget budget;
    final Percentile percentile;
    private final ControllerSettings settings;
    private final List<OperatingPoint> grid;
    private final List<Long> cpus;
    private final List<Long> gpus;
    private final OperatingPoint fastest;
    private final Map<OperatingPoint, Visit> visits = new LinkedHashMap<>();
    private OperatingPoint current;
    private long enteredAt;
    /** Since when the point held has been held (a measurement again at the same point does not move it). */
    private long heldSince = Long.MIN_VALUE;
    private long lastSeen = Long.MIN_VALUE;
    private double budgetMs = Double.NaN;
    private boolean infeasible;
    /** While infeasible: the fastest point is being measured again. */
    private boolean retrying;
    private boolean cpuWalked;
    private boolean gpuWalked;
    private boolean finished;
    private ProfileTable learned;
    private double predictedSd = Double.NaN;

    /**
     * What was measured at one point: latencies (their sum and count; the most recent of them, where its tail is
     * needed), and energy per inference as a sum of joules over inferences.
     */
    private static final class Visit {
        private final DoubleSummaryStatistics all = new DoubleSummaryStatistics();
        /** The most recent latencies, a ring; empty where only the mean is needed. */
        private final double[] ring;
        private int kept;
        private int next;
        private double[] sorted;
        double joules;
        double work;

        Visit(int keep) {
            ring = new double[keep];
        }

        void add(double latency) {
            all.accept(latency);
            if (ring.length > 0) {
                ring[next] = latency;
                next = (next + 1) % ring.length;
                kept = Math.min(kept + 1, ring.length);
                sorted = null;
            }
        }

        /** Latencies measured here. */
        long n() {
            return all.getCount();
        }

        /** Latencies held here. */
        int kept() {
            return kept;
        }

        double mean() {
            return all.getCount() == 0 ? Double.NaN : all.getAverage();
        }

        /**
         * The latency at quantile {@code q} of those kept; sorted once per sample count (the walk asks the
         * fastest's again and again).
         */
        double at(double q) {
            if (sorted == null) {
                sorted = Arrays.copyOf(ring, kept);
                Arrays.sort(sorted);
            }
            return Percentile.ofSorted(sorted, q);
        }
    }

    /** {@code key} names the profile to be learned; its CPU and GPU grids are the points it may hold. */
    Discovery(String name, ProfileKey key, Budget budget, Percentile percentile, ControllerSettings settings, long now) {
        this.name = name;
        this.key = key;
        this.budget = budget;
        this.percentile = percentile;
        this.settings = settings;
        this.cpus = key.cpuGridKHz().stream().sorted().toList();
        this.gpus = key.gpuGridHz().stream().sorted().toList();
        if (cpus.isEmpty() || gpus.isEmpty()) {
            throw new IllegalArgumentException(name + ": the board has no clock table to learn over");
        }
        List<OperatingPoint> points = new ArrayList<>();
        cpus.forEach(c -> gpus.forEach(g -> points.add(OperatingPoint.of(c, g))));
        this.grid = List.copyOf(points);
        this.fastest = OperatingPoint.of(cpus.get(cpus.size() - 1), gpus.get(gpus.size() - 1));
        moveTo(fastest, now);
    }

    OperatingPoint current() {
        return current;
    }

    /** The budget in ms: NaN until the fastest point's latency is known (a slowdown budget is relative to it). */
    double budgetMs() {
        return budgetMs;
    }

    /**
     * Whether even the fastest point misses the budget, as last measured there: the model is then held there and
     * nothing more is learned until it is measured again ({@link #retry}).
     */
    boolean infeasible() {
        return infeasible;
    }

    /** Whether the fastest point of an infeasible budget is being measured again. */
    boolean retrying() {
        return retrying;
    }

    /**
     * Measures the fastest point of an infeasible budget again, from {@code now}: its latencies and energy so far are
     * dropped (measured under what made it miss), and once its tail is known again the budget is met (the walk goes
     * on) or not (it stays infeasible, and records nothing more). Nothing for a budget not found infeasible.
     */
    void retry(long now) {
        if (infeasible) {
            retrying = true;
            visits.put(fastest, new Visit(tailKept()));
            moveTo(fastest, now);
        }
    }

    void seen(long now) {
        lastSeen = now;
    }

    long lastSeen() {
        return lastSeen;
    }

    /** Latencies held. */
    int samplesKept() {
        return visits.values().stream().mapToInt(Visit::kept).sum();
    }

    /** Whether what the board measures now is recorded: not at a walk that is over, nor at an infeasible budget but to measure it again. */
    private boolean recording() {
        return !finished && (!infeasible || retrying);
    }

    /** The profile learned, once the walk is over (null before). */
    ProfileTable learned() {
        return learned;
    }

    /** The standard deviation (log units) of the learned profile's predicted rows: its models' held-out error. */
    double predictedSd() {
        return predictedSd;
    }

    /** An inference that began at {@code began} and ended at {@code now}; one begun before the walk moved to the point held ran partly elsewhere. */
    void observe(double latencyMs, long began, long now) {
        if (recording() && began >= heldSince) {
            visits.get(current).add(latencyMs);
            adjust(now);
        }
    }

    void observeEnergy(OperatingPoint point, double joulesPerInference, double inferences, long now) {
        Visit v = visits.get(point);
        if (v != null && recording()) {
            v.joules += joulesPerInference * inferences;
            v.work += inferences;
            adjust(now);
        }
    }

    /** Inferences at the fastest point before its tail is known: 5 expected misses at the percentile. */
    private int tailSamples() {
        double allowance = percentile.missAllowance();
        return Double.isNaN(allowance) ? settings.minSamples()
                : Math.max(settings.minSamples(), (int) Math.ceil(5 / allowance));
    }

    /** Latencies kept at the fastest point: enough for its tail, at least. */
    private int tailKept() {
        return Math.max(tailSamples(), settings.tailSamplesKept());
    }

    private void adjust(long now) {
        if (!recording()) {
            return;
        }
        Visit v = visits.get(current);
        if (infeasible) { // measuring the fastest point again
            if (v.n() < tailSamples()) {
                return;
            }
            retrying = false;
            infeasible = tail(v) > budgetMs;
            if (infeasible) {
                return;
            }
        }
        if (Double.isNaN(budgetMs)) {
            if (v.n() < tailSamples()) {
                return;
            }
            double tail = tail(v);
            budgetMs = budget instanceof Budget.Slowdown s ? s.factor() * tail : ((Budget.Millis) budget).ms();
            if (tail > budgetMs) {
                infeasible = true;
                return;
            }
        }
        boolean energyIn = v.work >= settings.minWork() || now - enteredAt >= settings.energyWaitNanos();
        if (v.n() < settings.minSamples() || !energyIn) {
            return;
        }
        OperatingPoint next = null;
        if (!cpuWalked) {
            next = step(cpus, true);
            cpuWalked = next == null;
        }
        if (next == null && !gpuWalked) {
            next = step(gpus, false);
            gpuWalked = next == null;
        }
        if (next == null) {
            next = inside();
        }
        if (next == null) {
            finished = true;
            learned = table();
            if (learned == null) {
                moveTo(fastest, now); // no energy was measured anywhere: the safe point, for good
            }
        } else {
            moveTo(next, now);
        }
    }

    /**
     * The next point down one axis (the other clock at its top), at most a third of the axis below the lowest point
     * measured on it: the lowest clock whose latency keeps the budget less the margin, where the latency is bounded
     * by the lowest point's times the clock ratio while one point is known and, from two on, is extrapolated as
     * {@code a + b/f} through the two lowest (never below the lowest's); null when the walk is over.
     */
    private OperatingPoint step(List<Long> axis, boolean cpu) {
        List<Integer> measured = new ArrayList<>();
        for (int i = 0; i < axis.size(); i++) {
            if (visits.containsKey(onLine(axis.get(i), cpu))) {
                measured.add(i);
            }
        }
        int lowest = measured.get(0);
        double t0 = estimate(visits.get(onLine(axis.get(lowest), cpu)));
        double f0 = axis.get(lowest);
        double slope = Double.NaN; // b in a + b/f
        if (measured.size() >= 2) {
            double f1 = axis.get(measured.get(1));
            double t1 = estimate(visits.get(onLine(axis.get(measured.get(1)), cpu)));
            slope = Math.max(0, (t0 - t1) / (1 / f0 - 1 / f1));
        }
        double limit = budgetMs * (1 - settings.margin());
        int farthest = Math.max(0, lowest - Math.max(1, (axis.size() - 1) / settings.stepsPerAxis()));
        for (int i = farthest; i < lowest; i++) {
            double f = axis.get(i);
            double ms = Double.isNaN(slope) ? t0 * f0 / f : t0 + slope * (1 / f - 1 / f0);
            if (ms <= limit) {
                return onLine(axis.get(i), cpu);
            }
        }
        return null;
    }

    /** The point at {@code clock} on the CPU line (GPU at its top) or the GPU line (CPU at its top). */
    private OperatingPoint onLine(long clock, boolean cpu) {
        return cpu ? OperatingPoint.of(clock, fastest.gpuHz()) : OperatingPoint.of(fastest.cpuKHz(), clock);
    }

    /**
     * A point off the two lines, from the clocks measured on them, that the lines predict to keep the budget less the
     * margin (latency being additive in the domains, {@code t(c, g) = t(c, gmax) + t(cmax, g) - t(cmax, gmax)}); null
     * when every such point is measured. They give the models the points where both clocks are lowered.
     */
    private OperatingPoint inside() {
        double limit = budgetMs * (1 - settings.margin());
        double top = estimate(visits.get(fastest));
        OperatingPoint best = null;
        double bestMs = Double.POSITIVE_INFINITY;
        for (Map.Entry<OperatingPoint, Visit> c : visits.entrySet()) {
            for (Map.Entry<OperatingPoint, Visit> g : visits.entrySet()) {
                boolean onCpuLine = c.getKey().gpuHz() == fastest.gpuHz() && c.getKey().cpuKHz() != fastest.cpuKHz();
                boolean onGpuLine = g.getKey().cpuKHz() == fastest.cpuKHz() && g.getKey().gpuHz() != fastest.gpuHz();
                OperatingPoint p = OperatingPoint.of(c.getKey().cpuKHz(), g.getKey().gpuHz());
                if (!onCpuLine || !onGpuLine || visits.containsKey(p)) {
                    continue;
                }
                double ms = estimate(c.getValue()) + estimate(g.getValue()) - top;
                // the fastest such point first: each one measured checks the additivity the next one relies on
                if (ms <= limit && ms < bestMs) {
                    best = p;
                    bestMs = ms;
                }
            }
        }
        return best;
    }

    /** Latency at the budget's percentile of a point: measured at the fastest, elsewhere its mean in the same ratio. */
    private double estimate(Visit v) {
        Visit top = visits.get(fastest);
        return v == top ? tail(v) : v.mean() * tail(top) / top.mean();
    }

    private double tail(Visit v) {
        return percentile == Percentile.MEAN ? v.mean() : v.at(1 - percentile.missAllowance());
    }

    /**
     * The rows measured (percentiles in the fastest point's proportions, which alone has the samples for a tail),
     * and, from 8 rows with energy on, the surrogates' prediction for every other point of the grid.
     */
    private ProfileTable table() {
        Visit top = visits.get(fastest);
        double m = top.mean();
        double[] ratio = {top.at(0.5) / m, top.at(0.95) / m, top.at(0.99) / m};
        List<Measurement> rows = new ArrayList<>();
        visits.forEach((p, v) -> {
            if (v.work > 0) {
                double mean = v.mean();
                double j = v.joules / v.work;
                rows.add(new Measurement(p, mean, mean * ratio[0], mean * ratio[1], mean * ratio[2], j, j / (mean / 1e3),
                        0, Math.round(v.work), null, Measurement.Source.LEARNED));
            }
        });
        if (rows.isEmpty()) {
            return null;
        }
        try {
            Surrogate s = Surrogate.fit(rows);
            double error = s.latencyError() + s.powerError(); // NaN when no point could be held out
            predictedSd = Double.isNaN(error) ? 0.2 : Math.min(0.2, Math.max(0.03, error));
            return new ProfileTable(key, s.fill(rows, grid).stream().map(r -> r.predicted() ? withinMeasured(r, rows) : r).toList());
        } catch (RuntimeException tooFewOrDegenerate) {
            return new ProfileTable(key, rows); // the points measured are all it may choose from
        }
    }

    /**
     * A predicted row held within what was measured: no faster than the fastest point, and energy between half the
     * least and twice the most measured; the models extrapolate far from the lines, and a prediction of almost no
     * energy would be tried first and then taken for the board's drift.
     */
    private static Measurement withinMeasured(Measurement m, List<Measurement> rows) {
        double fastestMs = rows.stream().mapToDouble(Measurement::meanMs).min().orElseThrow();
        double least = rows.stream().mapToDouble(Measurement::energyJ).min().orElseThrow();
        double most = rows.stream().mapToDouble(Measurement::energyJ).max().orElseThrow();
        double k = Math.max(1, fastestMs / m.meanMs());
        double ms = m.meanMs() * k;
        double j = Math.min(2 * most, Math.max(least / 2, m.energyJ()));
        return new Measurement(m.point(), ms, m.p50Ms() * k, m.p95Ms() * k, m.p99Ms() * k, j, j / (ms / 1e3), 0, 0, null,
                Measurement.Source.PREDICTED);
    }

    private void moveTo(OperatingPoint p, long now) {
        if (!p.equals(current)) {
            heldSince = now;
        }
        current = p;
        enteredAt = now;
        visits.computeIfAbsent(p, k -> new Visit(p.equals(fastest) ? tailKept() : 0));
    }
}
