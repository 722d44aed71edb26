package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;
import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.mix.Mix;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several governed models running at once, governed as one (issue 28; docs/DESIGN.md, "Several models"): the point
 * held is the one of least board power for the mix, the members at their rates, among the points predicted to keep
 * every member's budget with the others running. It learns as one model does ({@link ModelState}), in the mix:
 *
 * <ul>
 *   <li>Latency, per member: its profile (made alone) stretched by the others' busy share at the point (a co-runner
 *       keeps the shared GPU and memory busy that share of the time), corrected over the grid by what the member
 *       measures in the mix ({@link PointCorrection}); at the point held, what it observes there; its tail carried
 *       from the point where it was last seen.</li>
 *   <li>Power: the members' profiles predict it ({@link Mix#watts}: busy energy at their rates, the board's idle power
 *       between), corrected over the grid by the board energy measured over {@code mixEnergyNanos} at a point, each
 *       window against the prediction at the inferences that ran in it (so that Poisson arrivals are not taken for a
 *       dearer point).</li>
 *   <li>Threatened (a member misses too often, in a row, or its percentile passes its budget), it steps at once to the
 *       cheapest point faster for that member predicted to keep every budget with the margin; the point left, and every
 *       point as slow for that member, is barred for five dwells. Otherwise, after the dwell, the cheapest point
 *       predicted to keep every budget, with hysteresis, or for a share of the time a point that might be cheaper
 *       (one that keeps every budget with the margin at its pessimistic latency).</li>
 * </ul>
 * The members' own states keep their single-model learning (for when one runs alone) and their pace of requests.
 */
final class MixState {

    /** Inference ends kept per member, to count them in energy windows and for its rate: 20 s at 200 a second. */
    private static final int ENDS_KEPT = 4096;
    /** Ends older than this are forgotten. */
    private static final long ENDS_NANOS = 20_000_000_000L;
    /** A member's rate is its inferences over the last this long in the mix (after two seconds, its own pace until). */
    private static final long RATE_NANOS = 10_000_000_000L;
    /** A window's inferences are counted once they have had this long to be reported (batches of 100 ms). */
    private static final long REPORT_LAG_NANOS = 1_000_000_000L;
    /** Measurements told again per point of a mix learned before: enough to be trusted, few enough to be corrected. */
    private static final int REPLAYED = 3;
    /** Readings further apart than this do not continue a window. */
    private static final long MAX_GAP_NANOS = 1_000_000_000L;

    /** One member: its own state (profile, budget, pace), its latencies at the point held and what it learned here. */
    private static final class Member {
        final ModelState single;
        final LatencyWindow window;
        final PointCorrection latency;
        /** Ends of its recent inferences in the mix, to count them in the energy windows and for its rate. */
        final Deque<Long> ends = new ArrayDeque<>();
        /** Points whose latency it measured in the mix (now or before). */
        final Set<OperatingPoint> measured = new HashSet<>();
        double blockedAtMs = Double.POSITIVE_INFINITY;
        long blockedUntil = Long.MIN_VALUE;
        /** Its tail over its mean's correction, as last seen (see {@link MixState#tail}). */
        double tail = 1;

        Member(ModelState single, List<OperatingPoint> grid, ControllerSettings settings) {
            this.single = single;
            this.window = new LatencyWindow(single.budgetMs, single.percentile, settings);
            this.latency = new PointCorrection(grid, Set.of(), settings.latencyCorrection());
        }

        Measurement row(OperatingPoint p) {
            return single.candidate(p);
        }

        double ofRow(OperatingPoint p) {
            return single.percentile.of(row(p));
        }
    }

    /** Board energy summed at one point while the mix was in force, over {@code nanos} measured from {@code from}. */
    private record Window(OperatingPoint point, long from, long to, double joules, long nanos) {
        Window plus(long start, long end, double j) {
            return new Window(point, from, end, joules + j, nanos + end - start);
        }
    }

    final String key;
    private final ControllerSettings settings;
    private final Map<String, Member> members = new LinkedHashMap<>();
    /** Points every member's profile has, fastest first for the first member. */
    private final List<OperatingPoint> grid;
    private final OperatingPoint top;
    private final PointCorrection power;
    /** Energy windows learned per point (now and before). */
    private final Map<OperatingPoint, Long> windowsAt = new HashMap<>();
    private final long formedAt;
    /** When it last came into force: its members' rates are counted from then. */
    private long resumedAt;
    private OperatingPoint current;
    private long enteredAt;
    private long nextChoiceAt = Long.MIN_VALUE;
    private boolean exploring;
    private long exploringNanos;
    private Window open;
    /** Windows full, waiting for the inferences that ran in them to be reported. */
    private final Deque<Window> closing = new ArrayDeque<>();
    private long windowsLearned;

    /**
     * A mix of {@code states} (every one's pace known), held from {@code now} at the point its prior chooses: the
     * members' profiles, and what was learned of the same mix before where {@code learned} is not null.
     */
    MixState(String key, List<ModelState> states, LearnedMix learned, ControllerSettings settings, long now) {
        this.key = key;
        this.settings = settings;
        List<OperatingPoint> common = new ArrayList<>();
        for (Measurement m : states.get(0).candidates()) {
            if (states.stream().allMatch(s -> s.candidate(m.point()) != null)) {
                common.add(m.point());
            }
        }
        this.grid = List.copyOf(common);
        states.forEach(s -> members.put(s.name, new Member(s, grid, settings)));
        this.power = new PointCorrection(grid, Set.of(), settings.energyCorrection());
        this.top = grid.stream().max(java.util.Comparator.comparingLong(OperatingPoint::cpuKHz)
                .thenComparingLong(OperatingPoint::gpuHz)
                .thenComparingLong(p -> p.emcHz() == null ? 0 : p.emcHz())).orElseThrow();
        if (learned != null) {
            startFrom(learned, now);
        }
        this.formedAt = now;
        this.resumedAt = now;
        this.enteredAt = now;
        OperatingPoint start = cheapestMeeting(now, 1 - settings.margin(), 0, null);
        this.current = start != null ? start : top;
    }

    /** Whether its members' profiles share a point (a mix of models profiled on different grids cannot be held). */
    static boolean holdable(List<ModelState> states) {
        return states.get(0).candidates().stream()
                .anyMatch(m -> states.stream().allMatch(s -> s.candidate(m.point()) != null));
    }

    OperatingPoint current() {
        return current;
    }

    /**
     * It comes into force again at {@code now}, its point as learned: rates, energy and latencies are counted afresh
     * (what the members ran since was not at its point).
     */
    void resume(long now) {
        resumedAt = now;
        enteredAt = now;
        members.values().forEach(m -> {
            m.ends.clear();
            m.window.clear();
        });
        discardEnergy();
    }

    /** The members' own states, for when the mix ends. */
    List<ModelState> memberStates() {
        return members.values().stream().map(m -> m.single).toList();
    }

    boolean has(String model) {
        return members.containsKey(model);
    }

    /** Latencies kept for the members in the mix. */
    long samplesKept() {
        return members.values().stream().mapToLong(m -> m.window.kept() + m.ends.size()).sum();
    }

    /** Energy windows that taught the mix's power. */
    long windowsLearned() {
        return windowsLearned;
    }

    /** The mix's power at {@code p} as its members' profiles predict it at their rates now (W). */
    double profileWatts(OperatingPoint p, long now) {
        return priorWatts(p, rates(now));
    }

    /** The mix's power at {@code p} as now predicted (W): the prior at the members' rates, corrected. */
    double predictedWatts(OperatingPoint p, long now) {
        return priorWatts(p, rates(now)) * power.at(p, now).factor() * Math.exp(power.level());
    }

    /** One inference of {@code model} that ended at {@code now} after {@code latencyMs}; then the point is reconsidered. */
    void observe(String model, long now, double latencyMs) {
        Member m = members.get(model);
        m.ends.addLast(now);
        while (m.ends.size() > ENDS_KEPT || m.ends.peekFirst() < now - ENDS_NANOS) {
            m.ends.removeFirst();
        }
        if (now - Math.round(latencyMs * 1e6) >= enteredAt) {
            m.window.record(latencyMs);
            if (m.window.samplesHere() % settings.minSamples() == 0) {
                m.latency.observe(current, m.window.meanOfLast(settings.minSamples()), baselineMs(m, current, rates(now)), now);
                m.measured.add(current);
            }
        }
        adjust(now);
    }

    /**
     * Board energy measured from {@code from} to {@code to} (ns) while the mix was in force from {@code since}: summed
     * at the point held into windows of {@code mixEnergyNanos}; a window is told once the inferences that ran in it
     * have had a second to be reported.
     */
    void energy(long from, long to, double joules, long since) {
        boolean clean = since <= from && enteredAt <= from;
        if (open != null && (!clean || !open.point().equals(current) || from < open.to() || from - open.to() > MAX_GAP_NANOS)) {
            open = null; // a window cut short teaches nothing
        }
        if (clean) {
            open = open == null ? new Window(current, from, to, joules, to - from) : open.plus(from, to, joules);
            if (open.nanos() >= settings.mixEnergyNanos()) {
                closing.addLast(open);
                open = null;
            }
        }
        while (!closing.isEmpty() && closing.peekFirst().to() + REPORT_LAG_NANOS <= to) {
            learn(closing.removeFirst(), to);
        }
    }

    /** What is being summed was measured partly under another writer's clocks or a throttle: it teaches nothing. */
    void discardEnergy() {
        open = null;
        closing.clear();
    }

    private void learn(Window w, long now) {
        double span = (w.to() - w.from()) / 1e9;
        double[] rates = new double[members.size()];
        int i = 0;
        for (Member m : members.values()) {
            long n = m.ends.stream().filter(e -> e > w.from() && e <= w.to()).count();
            rates[i++] = n / span;
        }
        if (power.observe(w.point(), w.joules() / (w.nanos() / 1e9), priorWatts(w.point(), rates), now)) {
            windowsLearned++;
            windowsAt.merge(w.point(), 1L, Long::sum);
        }
    }

    /**
     * Each member's requests per second: its inferences over the last {@link #RATE_NANOS} in the mix, pauses
     * included (the mix's power is over all its time); its own pace in the first two seconds.
     */
    private double[] rates(long now) {
        long span = Math.min(RATE_NANOS, now - resumedAt);
        return members.values().stream().mapToDouble(m -> span < 2_000_000_000L ? m.single.ratePerS()
                : m.ends.stream().filter(e -> e > now - span).count() / (span / 1e9)).toArray();
    }

    /** The mix's power at {@code p} as its members' profiles predict it. */
    private double priorWatts(OperatingPoint p, double[] rates) {
        return Mix.watts(members.values().stream().map(m -> m.row(p)).toList(), rates);
    }

    /** {@code m}'s mean latency at {@code p} as its profile, stretched by the others, predicts it. */
    private double baselineMs(Member m, OperatingPoint p, double[] rates) {
        return m.row(p).meanMs() * stretch(m, p, rates);
    }

    /**
     * Starts from what was learned of the same mix before: each point's factors are told to the corrections as
     * measurements made now ({@link #REPLAYED} of each at most), so that they inform the whole grid as they did
     * (a mix measured dearer than its profiles everywhere is believed so everywhere), and age from now.
     */
    private void startFrom(LearnedMix learned, long now) {
        Set<OperatingPoint> onGrid = Set.copyOf(grid);
        for (LearnedMix.Point p : learned.points()) {
            if (!onGrid.contains(p.point())) {
                continue; // another profile's grid: nothing to start from there
            }
            if (!Double.isNaN(p.powerFactor())) {
                windowsAt.put(p.point(), p.windows());
                for (long i = 0; i < Math.min(REPLAYED, p.windows()); i++) {
                    power.observe(p.point(), p.powerFactor(), 1, now);
                }
            }
            p.latencyFactors().forEach((model, f) -> {
                Member m = members.get(model);
                if (m != null) {
                    m.measured.add(p.point());
                    for (int i = 0; i < REPLAYED; i++) {
                        m.latency.observe(p.point(), f, 1, now);
                    }
                }
            });
        }
    }

    /** What it learned, to start from when the same models run together again: every point measured, now or before. */
    LearnedMix learned(long now) {
        Set<OperatingPoint> points = new java.util.LinkedHashSet<>(windowsAt.keySet());
        members.values().forEach(m -> points.addAll(m.measured));
        List<LearnedMix.Point> out = new ArrayList<>();
        for (OperatingPoint p : grid) {
            if (!points.contains(p)) {
                continue;
            }
            double powerFactor = windowsAt.containsKey(p) ? Math.exp(power.at(p, now).mean() + power.level()) : Double.NaN;
            Map<String, Double> latencyFactors = new LinkedHashMap<>();
            members.forEach((name, m) -> {
                if (m.measured.contains(p)) {
                    latencyFactors.put(name, Math.exp(m.latency.at(p, now).mean() + m.latency.level()));
                }
            });
            out.add(new LearnedMix.Point(p, powerFactor, windowsAt.getOrDefault(p, 0L), latencyFactors));
        }
        return new LearnedMix(List.copyOf(members.keySet()), out);
    }

    /** Its members' names, sorted. */
    List<String> memberNames() {
        return List.copyOf(members.keySet());
    }

    /** How much the others stretch {@code m} at {@code p}: by their busy share there, as their profiles give it. */
    private double stretch(Member m, OperatingPoint p, double[] rates) {
        double busy = 0;
        int i = 0;
        for (Member o : members.values()) {
            if (o != m) {
                busy += rates[i] * o.row(p).meanMs() / 1e3;
            }
            i++;
        }
        return 1 + Math.min(1, busy);
    }

    /**
     * {@code m}'s latency at its percentile at {@code p}, pessimistic by {@code sds}: where it is held and observed,
     * what it observes; elsewhere its profile stretched and corrected, and as much heavier in the tail as it is here.
     */
    private double predicted(Member m, OperatingPoint p, double[] rates, long now, double sds) {
        double here = observedCorrection(m);
        if (p.equals(current) && !Double.isNaN(here)) {
            return m.ofRow(p) * here;
        }
        PointCorrection.Estimate e = m.latency.at(p, now);
        return m.ofRow(p) * stretch(m, p, rates) * Math.exp(e.mean() + m.latency.level() + sds * e.sd()) * tail(m, rates, now);
    }

    /** Observed over profiled latency at the point held (NaN before {@code minSamples} inferences there). */
    private double observedCorrection(Member m) {
        if (m.window.samplesHere() < settings.minSamples()) {
            return Double.NaN;
        }
        return m.window.percentileKnown() ? m.window.observed() / m.ofRow(current) : m.window.mean() / m.row(current).meanMs();
    }

    /**
     * How much heavier than the mean's correction the member's tail is in the mix: where it is held once its
     * percentile is seen there, else as last seen at another point (1 until then). Side by side a member's latency is
     * stretched whenever the others run, so its tail grows more than its mean, alike at every point.
     */
    private double tail(Member m, double[] rates, long now) {
        if (m.window.percentileKnown()) {
            double meanRatio = stretch(m, current, rates) * Math.exp(m.latency.at(current, now).mean() + m.latency.level());
            m.tail = Math.min(1.5, Math.max(1, observedCorrection(m) / meanRatio));
        }
        return m.tail;
    }

    /**
     * The cheapest point (by predicted power, optimistic by {@code energySds}) at which every member is predicted,
     * pessimistic by {@code energySds} too, within {@code share} of its budget; only points faster for
     * {@code faster} than where it is (any when null), none barred for a member. Null when none is.
     */
    private OperatingPoint cheapestMeeting(long now, double share, double sds, Member faster) {
        double[] rates = rates(now);
        OperatingPoint best = null;
        double bestW = Double.POSITIVE_INFINITY;
        for (OperatingPoint p : grid) {
            if (faster != null && faster.ofRow(p) >= faster.ofRow(current)) {
                continue;
            }
            boolean meets = true;
            for (Member m : members.values()) {
                if ((now < m.blockedUntil && m.ofRow(p) >= m.blockedAtMs)
                        || predicted(m, p, rates, now, sds) > m.single.budgetMs * share) {
                    meets = false;
                    break;
                }
            }
            if (!meets) {
                continue;
            }
            PointCorrection.Estimate e = power.at(p, now);
            double w = priorWatts(p, rates) * (sds == 0 ? e.factor() : e.lowerFactor(sds));
            if (w < bestW) {
                best = p;
                bestW = w;
            }
        }
        return best;
    }

    private void adjust(long now) {
        Member threatened = null;
        for (Member m : members.values()) {
            if (m.window.threatened()) {
                threatened = m;
                break;
            }
        }
        if (threatened != null) {
            OperatingPoint to = cheapestMeeting(now, 1 - settings.margin(), settings.exploreSds(), threatened);
            if (to == null) {
                to = fastestFor(threatened);
            }
            if (to != null) {
                threatened.blockedAtMs = threatened.ofRow(current);
                threatened.blockedUntil = now + 5 * settings.minDwellNanos();
                moveTo(to, now, false);
            }
            return;
        }
        if (now - enteredAt < settings.minDwellNanos() || now < nextChoiceAt
                || members.values().stream().anyMatch(m -> m.window.samplesHere() < settings.minSamples())) {
            return;
        }
        nextChoiceAt = now + settings.chooseEveryNanos();
        if (exploring) {
            exploringNanos += now - enteredAt;
            exploring = false;
        }
        OperatingPoint best = cheapestMeeting(now, 1, 0, null);
        if (best == null) {
            return;
        }
        double[] rates = rates(now);
        boolean mayExplore = power.measuredPoints() > 0 && exploringNanos + settings.minDwellNanos()
                <= settings.exploreShare() * (now - formedAt) + 2 * settings.minDwellNanos();
        // a point is tried only if it keeps every budget with the margin even when its latency is as bad as it plausibly
        // is: the others' bursts stretch a member's tail more than one model's own jitter does
        OperatingPoint probe = mayExplore ? cheapestMeeting(now, 1 - settings.margin(), settings.exploreSds(), null) : null;
        double bestW = predictedWatts(best, now);
        double currentW = predictedWatts(current, now);
        if (probe != null && !probe.equals(best) && !probe.equals(current) && headroomFor(probe, rates, now)
                && priorWatts(probe, rates) * power.at(probe, now).lowerFactor(settings.exploreSds()) * Math.exp(power.level())
                < bestW * (1 - settings.minExploreGain())) {
            moveTo(probe, now, true);
        } else if (!best.equals(current) && bestW < currentW * (1 - settings.minGain()) && headroomFor(best, rates, now)) {
            moveTo(best, now, false);
        }
    }

    /** A point slower for a member only when that member keeps its budget with room to spare where it is. */
    private boolean headroomFor(OperatingPoint p, double[] rates, long now) {
        for (Member m : members.values()) {
            if (m.ofRow(p) > m.ofRow(current)
                    && predicted(m, current, rates, now, 0) > m.single.budgetMs * (1 - settings.hysteresis())) {
                return false;
            }
        }
        return true;
    }

    /** The point of the grid fastest for {@code m}, null when it is held already. */
    private OperatingPoint fastestFor(Member m) {
        OperatingPoint fastest = grid.stream().min(java.util.Comparator.comparingDouble(m::ofRow)).orElse(top);
        return m.ofRow(fastest) < m.ofRow(current) ? fastest : null;
    }

    private void moveTo(OperatingPoint p, long now, boolean explore) {
        if (p.equals(current)) {
            return;
        }
        if (exploring) {
            exploringNanos += now - enteredAt;
        }
        exploring = explore;
        current = p;
        enteredAt = now;
        open = null;
        members.values().forEach(m -> m.window.clear());
    }
}
