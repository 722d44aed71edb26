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
 * known there (which also resolves a slowdown budget); then it walks down each clock axis (CPU, GPU, and the EMC
 * where the key has an EMC grid) from the fastest point, the other clocks at their top, measuring latency and energy
 * per inference at each step. A step is taken only when it is certain to keep the budget: latency is work over
 * frequency per domain ({@code a + b/fcpu + c/fgpu + d/femc}), so lowering one clock by a factor can lengthen an
 * inference by at most that factor. The lines are what the sparse sweep's surrogate models (additive in the clocks)
 * need; points off them that the lines predict to keep the budget check the additivity. The profile the models give
 * (measured rows, the rest predicted with the models' error) is handed to the controller, which goes on learning
 * from it. A budget that even the fastest
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
    /** Each clock axis walked, its clocks in ascending order: CPU, GPU, and the EMC where the key has its grid. */
    private final List<Axis> axes;
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
    /** The axes whose line is walked to its end. */
    private final boolean[] walked;
    private boolean finished;
    private ProfileTable learned;
    private double predictedSd = Double.NaN;

    /** A clock of an operating point, and its values on this board. */
    private record Axis(Clock clock, List<Long> values) {

        long top() {
            return values.get(values.size() - 1);
        }
    }

    private enum Clock {
        CPU, GPU, EMC;

        long of(OperatingPoint p) {
            return switch (this) {
                case CPU -> p.cpuKHz();
                case GPU -> p.gpuHz();
                case EMC -> p.emcHz();
            };
        }

        OperatingPoint in(OperatingPoint p, long value) {
            return switch (this) {
                case CPU -> new OperatingPoint(value, p.gpuHz(), p.emcHz());
                case GPU -> new OperatingPoint(p.cpuKHz(), value, p.emcHz());
                case EMC -> new OperatingPoint(p.cpuKHz(), p.gpuHz(), value);
            };
        }
    }

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

    /** {@code key} names the profile to be learned; its grids (CPU, GPU, EMC where given) are the points it may hold. */
    Discovery(String name, ProfileKey key, Budget budget, Percentile percentile, ControllerSettings settings, long now) {
        this.name = name;
        this.key = key;
        this.budget = budget;
        this.percentile = percentile;
        this.settings = settings;
        List<Long> cpus = key.cpuGridKHz().stream().sorted().toList();
        List<Long> gpus = key.gpuGridHz().stream().sorted().toList();
        List<Long> emcs = key.emcGridHz().stream().sorted().toList();
        if (cpus.isEmpty() || gpus.isEmpty()) {
            throw new IllegalArgumentException(name + ": the board has no clock table to learn over");
        }
        this.axes = emcs.isEmpty() ? List.of(new Axis(Clock.CPU, cpus), new Axis(Clock.GPU, gpus))
                : List.of(new Axis(Clock.CPU, cpus), new Axis(Clock.GPU, gpus), new Axis(Clock.EMC, emcs));
        this.walked = new boolean[axes.size()];
        List<OperatingPoint> points = new ArrayList<>();
        for (long c : cpus) {
            for (long g : gpus) {
                if (emcs.isEmpty()) {
                    points.add(OperatingPoint.of(c, g));
                } else {
                    emcs.forEach(e -> points.add(new OperatingPoint(c, g, e)));
                }
            }
        }
        this.grid = List.copyOf(points);
        this.fastest = new OperatingPoint(cpus.get(cpus.size() - 1), gpus.get(gpus.size() - 1),
                emcs.isEmpty() ? null : emcs.get(emcs.size() - 1));
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
        for (int a = 0; a < axes.size() && next == null; a++) {
            if (!walked[a]) {
                next = step(axes.get(a));
                walked[a] = next == null;
            }
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
     * The next point down one axis (the other clocks at their top), at most a third of the axis below the lowest point
     * measured on it: the lowest clock whose latency keeps the budget less the margin, where the latency is bounded
     * by the lowest point's times the clock ratio while one point is known and, from two on, is extrapolated as
     * {@code a + b/f} through the two lowest (never below the lowest's); null when the walk is over.
     */
    private OperatingPoint step(Axis axis) {
        List<Long> values = axis.values();
        List<Integer> measured = measuredOn(axis);
        int lowest = measured.get(0);
        double t0 = estimate(visits.get(axis.clock().in(fastest, values.get(lowest))));
        double f0 = values.get(lowest);
        double slope = slope(axis); // b in a + b/f
        double limit = budgetMs * (1 - settings.margin());
        int farthest = Math.max(0, lowest - Math.max(1, (values.size() - 1) / settings.stepsPerAxis()));
        for (int i = farthest; i < lowest; i++) {
            double f = values.get(i);
            double ms = Double.isNaN(slope) ? t0 * f0 / f : t0 + slope * (1 / f - 1 / f0);
            if (ms <= limit) {
                return axis.clock().in(fastest, values.get(i));
            }
        }
        if (!Double.isNaN(slope)) {
            return null;
        }
        // one point on this line and no step within the whole latency's growth (a coarse axis: the EMC's 3199 to
        // 2133 MHz is a factor 1.5): only what is not the other domains' work known from their lines can grow by the
        // clock's ratio
        double unknown = t0;
        for (Axis other : axes) {
            double work = other == axis ? Double.NaN : slope(other);
            if (!Double.isNaN(work)) {
                unknown -= work / other.top();
            }
        }
        for (int i = farthest; i < lowest; i++) {
            if (t0 + Math.max(0, unknown) * (f0 / values.get(i) - 1) <= limit) {
                return axis.clock().in(fastest, values.get(i));
            }
        }
        return null;
    }

    /** The indices of {@code axis}'s clocks measured on its line (the other clocks at their top), ascending. */
    private List<Integer> measuredOn(Axis axis) {
        List<Integer> measured = new ArrayList<>();
        for (int i = 0; i < axis.values().size(); i++) {
            if (visits.containsKey(axis.clock().in(fastest, axis.values().get(i)))) {
                measured.add(i);
            }
        }
        return measured;
    }

    /**
     * The work {@code b} of {@code axis}'s domain in {@code a + b/f}, through the two lowest points measured on its
     * line (NaN while fewer than two are).
     */
    private double slope(Axis axis) {
        List<Integer> measured = measuredOn(axis);
        if (measured.size() < 2) {
            return Double.NaN;
        }
        long c0 = axis.values().get(measured.get(0));
        long c1 = axis.values().get(measured.get(1));
        double t0 = estimate(visits.get(axis.clock().in(fastest, c0)));
        double t1 = estimate(visits.get(axis.clock().in(fastest, c1)));
        return Math.max(0, (t0 - t1) / (1.0 / c0 - 1.0 / c1));
    }

    /**
     * A point off the lines, from the clocks measured on them, that the lines predict to keep the budget less the
     * margin (latency being additive in the domains: {@code t(c, g, e)} is the fastest's plus what each clock's line
     * adds, {@code t(c, gtop, etop) - t(top)} and so on); null when every such point is measured. They give the models
     * the points where two or more clocks are lowered.
     */
    private OperatingPoint inside() {
        double limit = budgetMs * (1 - settings.margin());
        double top = estimate(visits.get(fastest));
        // per axis, the clocks measured on its line and what each adds to the fastest's latency (the top: nothing)
        List<Map<Long, Double>> added = new ArrayList<>();
        for (Axis axis : axes) {
            Map<Long, Double> line = new LinkedHashMap<>();
            line.put(axis.top(), 0.0);
            visits.forEach((p, v) -> {
                if (!p.equals(fastest) && p.equals(axis.clock().in(fastest, axis.clock().of(p)))) {
                    line.put(axis.clock().of(p), estimate(v) - top);
                }
            });
            added.add(line);
        }
        OperatingPoint[] best = {null};
        double[] bestMs = {Double.POSITIVE_INFINITY};
        combine(added, 0, fastest, top, 0, (p, ms, lowered) -> {
            // the fastest such point first: each one measured checks the additivity the next one relies on
            if (lowered >= 2 && !visits.containsKey(p) && ms <= limit && ms < bestMs[0]) {
                best[0] = p;
                bestMs[0] = ms;
            }
        });
        return best[0];
    }

    private interface Candidate {
        void take(OperatingPoint p, double ms, int lowered);
    }

    /** Every point taking, on each axis from {@code a} on, a clock measured on its line; with its predicted latency. */
    private void combine(List<Map<Long, Double>> added, int a, OperatingPoint p, double ms, int lowered, Candidate out) {
        if (a == axes.size()) {
            out.take(p, ms, lowered);
            return;
        }
        Axis axis = axes.get(a);
        for (Map.Entry<Long, Double> e : added.get(a).entrySet()) {
            combine(added, a + 1, axis.clock().in(p, e.getKey()), ms + e.getValue(),
                    lowered + (e.getKey() == axis.top() ? 0 : 1), out);
        }
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
