package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds each registered model at the point that costs it least energy while keeping its latency budget, as
 * inference runs, and learns on the board what that point is. Pure logic: it is told what latencies and energies
 * were measured and when, and answers which point to hold (docs/DESIGN.md, "Learning the board").
 *
 * <ul>
 *   <li>It starts at the profile's min-energy choice for the budget.</li>
 *   <li>Latency: predictions are profiled latencies scaled by what it observes now (observed over profiled). When the
 *       budget is threatened (the observed percentile passes the budget; the misses at the point are more than the
 *       allowance explains, by a binomial test, long before a tail percentile can be observed; or misses come in a
 *       row) it steps at once to the cheapest faster point predicted to meet the budget with a
 *       margin; the point it left, and every point as slow, is barred for a while.</li>
 *   <li>Energy: what the board measured per inference at a point ({@link #observeEnergy}) corrects the profile's
 *       energy over the whole grid ({@link PointCorrection}), with an uncertainty. After a minimum dwell it holds the
 *       point with the lowest corrected energy among those predicted to meet the budget, moving only for a gain
 *       above the hysteresis; and, for a limited share of the time, it tries a point that might be cheaper still
 *       (lowest energy by a lower confidence bound) so as to learn it. Only points predicted to meet the budget with
 *       the margin are tried.</li>
 *   <li>With no inference for a while it asks for the idle setting (the lowest clocks of the profile); the next
 *       inference gets the working point back.</li>
 *   <li>Several models each keep their own point; while more than one is active the board holds, per clock, the
 *       highest any of them needs.</li>
 * </ul>
 */
public final class OnlineController {

    /**
     * How many standard deviations an energy estimate may be optimistic when choosing a point to try, and a latency
     * prediction must be pessimistic for a point to be tried or stepped to under threat.
     */
    static final double EXPLORE_SDS = 1.0;
    /** A point must promise at least this much less energy before the controller moves to it. */
    static final double MIN_GAIN = 0.01;
    /** A point is tried only when its optimistic energy is at least this much below the best estimate. */
    static final double MIN_EXPLORE_GAIN = 0.02;
    /** The share of the time spent at points tried to learn them, after an allowance of two dwells. */
    static final double EXPLORE_SHARE = 0.10;
    /** How often a settled model reconsiders its point. */
    static final long CHOOSE_EVERY_NANOS = 250_000_000L;

    private final ControllerSettings settings;
    private final Map<String, ModelState> models = new LinkedHashMap<>();
    private final Map<String, Discovery> discovering = new LinkedHashMap<>();
    private OperatingPoint idlePoint;

    public OnlineController(ControllerSettings settings) {
        this.settings = settings;
    }

    /**
     * Registers (or re-registers) a model with its profile and budget, the profile made on another unit of the board
     * (or unknown where).
     *
     * @throws InfeasibleException when no point of the profile meets the budget (the answer names the fastest)
     */
    public void register(String model, ProfileTable table, Budget budget, Percentile percentile, long now) {
        register(model, table, budget, percentile, now, false);
    }

    /**
     * As {@link #register(String, ProfileTable, Budget, Percentile, long)}; {@code profiledHere} when the profile was
     * made on this very unit (its serial number), which makes the profile's energies a tighter prior.
     */
    public void register(String model, ProfileTable table, Budget budget, Percentile percentile, long now,
                         boolean profiledHere) {
        Selection start = Selector.select(table, Request.minEnergy(budget, percentile));
        if (!start.feasible()) {
            throw InfeasibleException.of(model, start);
        }
        discovering.remove(model);
        models.put(model, state(model, table, start.budgetMs(), percentile, start.chosen(), profiledHere, Double.NaN, now));
    }

    /**
     * Registers (or re-registers) a model that has no profile: it is held at the fastest point of {@code key}'s
     * grids and learns a profile on the board ({@link Discovery}), then is governed from it as any other. A budget
     * that even the fastest point misses is only known once it has run there: {@link #infeasible} says so then.
     */
    public void registerUnprofiled(String model, ProfileKey key, Budget budget, Percentile percentile, long now) {
        Discovery d = new Discovery(model, key, budget, percentile, settings, now);
        models.remove(model);
        discovering.put(model, d);
        idleAtMost(OperatingPoint.of(key.cpuGridKHz().stream().min(Long::compare).orElseThrow(),
                key.gpuGridHz().stream().min(Long::compare).orElseThrow()));
    }

    /** The idle setting is the lowest clocks of every model registered. */
    private void idleAtMost(OperatingPoint idle) {
        idlePoint = idlePoint == null ? idle : lowest(idlePoint, idle);
    }

    private ModelState state(String model, ProfileTable table, double budgetMs, Percentile percentile, Measurement start,
                             boolean profiledHere, double predictedSd, long now) {
        List<Measurement> frontier = Selector.paretoFrontier(table, percentile);
        List<Measurement> rows = table.rows().stream().sorted(Comparator.comparingDouble(percentile::of)).toList();
        ModelState state = new ModelState(model, rows, frontier, budgetMs, percentile, start, settings, profiledHere,
                predictedSd);
        state.enteredAt = now;
        state.registeredAt = now;
        long cpu = table.rows().stream().mapToLong(m -> m.point().cpuKHz()).min().orElseThrow();
        long gpu = table.rows().stream().mapToLong(m -> m.point().gpuHz()).min().orElseThrow();
        Long emc = table.rows().stream().map(m -> m.point().emcHz()).filter(e -> e != null).min(Long::compare).orElse(null);
        idleAtMost(new OperatingPoint(cpu, gpu, emc));
        return state;
    }

    /**
     * A model that learned its profile on the board goes on as any other: from the cheapest point it measured that
     * keeps the budget less the margin (the fastest when none does), with the profile's predicted rows as uncertain
     * as its models' error.
     */
    private void handOff(Discovery d, long now) {
        ProfileTable table = d.learned();
        double limit = d.budgetMs() * (1 - settings.margin());
        Measurement start = table.rows().stream().filter(m -> !m.predicted() && d.percentile.of(m) <= limit)
                .min(Comparator.comparingDouble(Measurement::energyJ)).orElse(table.fastest(d.percentile));
        ModelState s = state(d.name, table, d.budgetMs(), d.percentile, start, true, d.predictedSd(), now);
        s.lastSeen = d.lastSeen;
        s.discovered = table;
        discovering.remove(d.name);
        models.put(d.name, s);
    }

    /** The profile {@code model} learned without one (null while learning, or for a model registered with one). */
    public ProfileTable discoveredProfile(String model) {
        ModelState s = models.get(model); // a model still learning is in discovering, not here
        return s == null ? null : s.discovered;
    }

    /** Whether {@code model}, registered without a profile, turned out to have a budget the fastest point misses. */
    public boolean infeasible(String model) {
        Discovery d = discovering.get(model);
        return d != null && d.infeasible();
    }

    public void unregister(String model) {
        models.remove(model);
        discovering.remove(model);
    }

    /** One inference of {@code model} that ended at {@code now} after {@code latencyMs}. */
    public void observe(String model, long now, double latencyMs) {
        Discovery d = discovering.get(model);
        if (d != null) {
            // while another model runs, the board holds more than this one asked for: what it measures is not its own
            if (!othersActive(model, now)) {
                d.observe(latencyMs, now);
            }
            d.lastSeen = now;
            if (d.learned() != null) {
                handOff(d, now);
            }
            return;
        }
        ModelState s = models.get(model);
        if (s == null) {
            return;
        }
        s.lastSeen = now;
        s.record(latencyMs);
        adjust(s, now);
    }

    /**
     * The board's energy per inference of {@code model} measured over an interval in which it alone ran
     * {@code inferences} inferences (counted by their share in it) and {@code point} was held throughout. A point
     * outside its profile is ignored.
     */
    public void observeEnergy(String model, OperatingPoint point, double joulesPerInference, double inferences, long now) {
        Discovery d = discovering.get(model);
        if (d != null) {
            d.observeEnergy(point, joulesPerInference, inferences, now);
            if (d.learned() != null) {
                handOff(d, now);
            }
            return;
        }
        ModelState s = models.get(model);
        Measurement m = s == null ? null : s.candidates.get(point);
        if (m != null && s.energy.observe(point, joulesPerInference, m.energyJ(), now)) {
            s.inferencesLearned.merge(point, inferences, Double::sum);
        }
    }

    /**
     * What {@code model} has learned, as profile rows: every point whose energy it measured, its energy per inference
     * now estimated (the profile's row corrected; a row learned before is measured again, its inferences added), the
     * latencies the profile's. Empty for a model not registered.
     */
    public List<Measurement> learnedRows(String model, long now) {
        ModelState s = models.get(model);
        if (s == null) {
            return List.of();
        }
        List<Measurement> out = new java.util.ArrayList<>();
        s.inferencesLearned.forEach((point, n) -> {
            Measurement m = s.candidates.get(point);
            // the board as it is now: the point's own correction and the drift common to every point
            double f = Math.exp(s.energyAt(m, now).mean() + s.energy.level());
            long before = m.source() == Measurement.Source.LEARNED ? m.inferences() : 0;
            out.add(new Measurement(point, m.meanMs(), m.p50Ms(), m.p95Ms(), m.p99Ms(), m.energyJ() * f, m.powerW() * f,
                    m.cov(), before + Math.round(n), m.tempC(), Measurement.Source.LEARNED));
        });
        return out;
    }

    /** How many points of {@code model}'s grid have measured energy (0 for a model not registered). */
    public int pointsLearned(String model) {
        ModelState s = models.get(model);
        return s == null ? 0 : s.energy.measuredPoints();
    }

    /** {@code model} is about to run an inference: it is active from now, whatever the controller held while idle. */
    public void begin(String model, long now) {
        ModelState s = models.get(model);
        if (s != null) {
            s.lastSeen = now;
        }
        Discovery d = discovering.get(model);
        if (d != null) {
            d.lastSeen = now;
        }
    }

    /** The point to hold now. */
    public Decision decide(long now) {
        OperatingPoint held = null;
        String who = null;
        for (ModelState s : models.values()) {
            if (active(s.lastSeen, now)) {
                held = held == null ? s.current().point() : highest(held, s.current().point());
                who = who == null ? s.name : who + "+" + s.name;
            }
        }
        for (Discovery d : discovering.values()) {
            if (active(d.lastSeen, now)) {
                held = held == null ? d.current() : highest(held, d.current());
                who = who == null ? d.name : who + "+" + d.name;
            }
        }
        if (held == null) {
            return new Decision(idlePoint, null, models.isEmpty() && discovering.isEmpty() ? "no model registered" : "idle");
        }
        return new Decision(held, who, "working");
    }

    /**
     * A model's budget in ms (a slowdown resolved against its profile), NaN for a model not registered and for one
     * without a profile until its fastest point has been measured.
     */
    public double budgetMsOf(String model) {
        ModelState s = models.get(model);
        Discovery d = discovering.get(model);
        return s != null ? s.budgetMs : d != null ? d.budgetMs() : Double.NaN;
    }

    /** The point a model works at, for status and metrics. */
    public OperatingPoint pointOf(String model) {
        ModelState s = models.get(model);
        Discovery d = discovering.get(model);
        return s != null ? s.current().point() : d != null ? d.current() : null;
    }

    private boolean active(long lastSeen, long now) {
        return lastSeen != Long.MIN_VALUE && now - lastSeen < settings.idleNanos();
    }

    private boolean othersActive(String model, long now) {
        return models.values().stream().anyMatch(s -> !s.name.equals(model) && active(s.lastSeen, now))
                || discovering.values().stream().anyMatch(d -> !d.name.equals(model) && active(d.lastSeen, now));
    }

    private void adjust(ModelState s, long now) {
        boolean streak = s.streak >= settings.missStreak();
        if (s.samplesHere < settings.minSamples() && !streak) {
            return;
        }
        double correction = s.learn(now);
        double observed = s.observed();
        double allowance = s.percentile.missAllowance();
        boolean missingTooOften = s.missingTooOften();
        boolean overBudget = s.percentileKnown() && observed > s.budgetMs;
        double target = s.budgetMs * (1 - settings.margin());
        if (streak || missingTooOften || overBudget) {
            Measurement faster = fasterMeeting(s, target, correction, now);
            if (faster != null) {
                // do not come back here soon: the point failed under the present conditions
                s.blockedAtMs = s.percentile.of(s.current());
                s.blockedUntil = now + 5 * settings.minDwellNanos();
                s.moveTo(faster, now, false);
            }
            return;
        }
        if (now - s.enteredAt < settings.minDwellNanos() || now < s.nextChoiceAt) {
            return;
        }
        s.nextChoiceAt = now + CHOOSE_EVERY_NANOS;
        double tail = s.tail(correction, now);
        Measurement best = null;
        double bestJ = Double.POSITIVE_INFINITY;
        Measurement probe = null;
        double probeJ = Double.POSITIVE_INFINITY;
        for (Measurement m : s.candidates.values()) {
            if (s.barred(m, now) || s.predicted(m, correction, tail, now, 0) > s.budgetMs) {
                continue;
            }
            PointCorrection.Estimate e = s.energyAt(m, now);
            double mean = m.energyJ() * e.factor();
            double low = m.energyJ() * e.lowerFactor(EXPLORE_SDS);
            if (mean < bestJ) {
                best = m;
                bestJ = mean;
            }
            // a point is tried only if it meets the budget even when its latency is as bad as it plausibly can be
            if (low < probeJ && s.predicted(m, correction, tail, now, EXPLORE_SDS) <= s.budgetMs) {
                probe = m;
                probeJ = low;
            }
        }
        if (best == null) {
            return;
        }
        boolean learning = s.energy.measuredPoints() > 0;
        s.settle(now); // a point tried has been held its dwell: from here it is judged as any other
        // a slower point only from one that keeps the budget with room to spare (hysteresis), as before learning
        boolean headroom = s.percentile.of(s.current()) * correction <= s.budgetMs * (1 - settings.hysteresis());
        // the next try must fit in the share, after an allowance of two dwells
        boolean mayExplore = learning && s.exploringNanos + settings.minDwellNanos()
                <= EXPLORE_SHARE * (now - s.registeredAt) + 2 * settings.minDwellNanos();
        double currentJ = s.current().energyJ() * s.energyAt(s.current(), now).factor();
        if (mayExplore && probe != best && probe != s.current() && probeJ < bestJ * (1 - MIN_EXPLORE_GAIN)
                && (!slower(s, probe) || headroom)) {
            s.moveTo(probe, now, true);
        } else if (best != s.current() && bestJ < currentJ * (1 - MIN_GAIN) && (!slower(s, best) || headroom)) {
            s.moveTo(best, now, false);
        }
    }

    private static boolean slower(ModelState s, Measurement m) {
        return s.percentile.of(m) > s.percentile.of(s.current());
    }

    /**
     * Where a threatened model goes: the cheapest point faster than its own that is predicted to meet
     * {@code target}; one step faster along the frontier when the prediction says its own point is fine but the
     * observations say otherwise; the fastest when nothing is predicted to do; null when it is at the fastest.
     */
    private static Measurement fasterMeeting(ModelState s, double target, double correction, long now) {
        double here = s.percentile.of(s.current());
        double tail = s.tail(correction, now);
        Measurement best = null;
        double bestJ = Double.POSITIVE_INFINITY;
        boolean anyMeets = false;
        for (Measurement m : s.candidates.values()) {
            if (s.predicted(m, correction, tail, now, EXPLORE_SDS) > target) {
                continue;
            }
            anyMeets = true;
            double j = m.energyJ() * s.energyAt(m, now).factor();
            if (s.percentile.of(m) < here && j < bestJ) {
                best = m;
                bestJ = j;
            }
        }
        if (best != null) {
            return best;
        }
        Measurement fastest = s.frontier.get(0);
        if (anyMeets) {
            for (int i = s.frontier.size() - 1; i >= 0; i--) {
                if (s.percentile.of(s.frontier.get(i)) < here) {
                    return s.frontier.get(i);
                }
            }
        }
        return s.current().equals(fastest) ? null : fastest;
    }

    private static OperatingPoint highest(OperatingPoint a, OperatingPoint b) {
        Long emc = a.emcHz() == null ? b.emcHz() : b.emcHz() == null ? a.emcHz() : Long.valueOf(Math.max(a.emcHz(), b.emcHz()));
        return new OperatingPoint(Math.max(a.cpuKHz(), b.cpuKHz()), Math.max(a.gpuHz(), b.gpuHz()), emc);
    }

    private static OperatingPoint lowest(OperatingPoint a, OperatingPoint b) {
        Long emc = a.emcHz() == null ? b.emcHz() : b.emcHz() == null ? a.emcHz() : Long.valueOf(Math.min(a.emcHz(), b.emcHz()));
        return new OperatingPoint(Math.min(a.cpuKHz(), b.cpuKHz()), Math.min(a.gpuHz(), b.gpuHz()), emc);
    }
}
