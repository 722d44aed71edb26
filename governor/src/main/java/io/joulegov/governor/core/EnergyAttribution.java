package io.joulegov.governor.core;

import io.joulegov.policies.profile.OperatingPoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which measured board energy belongs to which model's inferences, at which point: pure bookkeeping, no I/O, no
 * clock. The board energy of each interval is credited to the point held throughout it and to the inferences that
 * ran in it (each placed where its end time and latency say it ran), one interval late, once every inference that
 * overlapped it has been reported. While two models ran in one interval its energy cannot be split: it teaches
 * nothing. Energy per inference is the ratio of sums over the clean intervals at one point: with requests arriving at
 * random, one second holds 9 or 20 inferences and the idle power between them makes each second's ratio swing by
 * half; summing to {@code minWork} inferences first keeps one measurement good to a few percent.
 */
final class EnergyAttribution {

    /** One inference, from start to end (ns). */
    record Run(long start, long end) {
    }

    /** An interval's board energy and the point held throughout it (null when the point changed within it). */
    record Interval(long from, long to, double joules, OperatingPoint point) {
    }

    /** Energy per inference of {@code model} at {@code point}, over {@code inferences} inferences, ending at {@code at}. */
    record Observation(String model, OperatingPoint point, double joulesPerInference, double inferences, long at) {
    }

    /** Clean intervals at one point for one model, not yet told. */
    private record Sum(String model, OperatingPoint point, double joules, double work, long to) {
        Sum plus(double j, double w, long end) {
            return new Sum(model, point, joules + j, work + w, end);
        }
    }

    private final double minWork;
    private final double minWorkAtChange;
    private final int maxRunsKept;
    private final Map<String, Deque<Run>> ran = new LinkedHashMap<>();
    private Interval pending;
    private Sum sum;
    private long intervalsLearned;
    private long intervalsShared;

    /** {@code maxRunsKept} bounds the inferences remembered per model for a caller that never measures energy. */
    EnergyAttribution(double minWork, double minWorkAtChange, int maxRunsKept) {
        this.minWork = minWork;
        this.minWorkAtChange = minWorkAtChange;
        this.maxRunsKept = maxRunsKept;
    }

    void ran(String model, Run run) {
        Deque<Run> runs = ran.computeIfAbsent(model, k -> new ArrayDeque<>());
        if (runs.size() == maxRunsKept) {
            runs.removeFirst();
        }
        runs.addLast(run);
    }

    void forget(String model) {
        ran.remove(model);
    }

    /** The clocks were not the governor's throughout what is pending (another writer): it teaches nothing. */
    void discard() {
        pending = null;
        sum = null;
    }

    /** A new interval measured; what the one before it teaches (it is credited now that its inferences are in). */
    List<Observation> measured(Interval next) {
        List<Observation> out = new ArrayList<>(1);
        if (pending != null) {
            credit(pending, out);
        }
        pending = next;
        return out;
    }

    long intervalsLearned() {
        return intervalsLearned;
    }

    long intervalsShared() {
        return intervalsShared;
    }

    int runsKept() {
        return ran.values().stream().mapToInt(Deque::size).sum();
    }

    private void credit(Interval it, List<Observation> out) {
        String only = null;
        double work = 0;
        int models = 0;
        for (Map.Entry<String, Deque<Run>> e : ran.entrySet()) {
            double w = 0;
            for (Run r : e.getValue()) {
                long overlap = Math.min(r.end(), it.to()) - Math.max(r.start(), it.from());
                if (overlap > 0) {
                    w += overlap / (double) (r.end() - r.start());
                }
            }
            e.getValue().removeIf(r -> r.end() <= it.to());
            if (w > 0) {
                models++;
                only = e.getKey();
                work = w;
            }
        }
        boolean clean = models == 1 && it.point() != null;
        if (models > 1) {
            intervalsShared++;
        }
        if (sum != null && (!clean || !sum.model().equals(only) || !sum.point().equals(it.point()))) {
            tell(sum, minWorkAtChange, out); // what the point held showed before it changed
            sum = null;
        }
        if (clean) {
            sum = sum == null ? new Sum(only, it.point(), it.joules(), work, it.to()) : sum.plus(it.joules(), work, it.to());
            intervalsLearned++;
            if (sum.work() >= minWork) {
                tell(sum, minWork, out);
                sum = null;
            }
        }
    }

    private static void tell(Sum s, double atLeast, List<Observation> out) {
        if (s.work() >= atLeast) {
            out.add(new Observation(s.model(), s.point(), s.joules() / s.work(), s.work(), s.to()));
        }
    }
}
