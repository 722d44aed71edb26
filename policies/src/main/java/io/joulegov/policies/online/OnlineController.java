package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;
import io.joulegov.policies.mix.LearnedMix;
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
import java.util.HashMap;
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
 *       the margin are tried. Requests that come at their own pace leave the board idle at the point between them:
 *       where the profile measured the board's idle power, each point's energy per inference includes it over the
 *       gap the point leaves ({@link Arrivals}); a faster point idles longer, and at a high memory clock dearly.</li>
 *   <li>With no inference for a while it asks for the idle setting (the lowest clocks of the profile); the next
 *       inference gets the working point back.</li>
 *   <li>Several governed models that run at once are a mix ({@link MixState}): the board holds the point of least
 *       power for the mix that keeps every member's budget, learned in the mix; each member's own state is kept for
 *       when it runs alone. With {@link ControllerSettings#jointMix} off, and for members still learning a profile,
 *       the board holds per clock the highest any of them needs.</li>
 *   <li>A model registered without a profile learns one first ({@link Discovery}); each model is in one
 *       {@link ModelPhase} (learning, infeasible, governed), moved on explicitly. A budget even the fastest point
 *       misses is measured again every {@link ControllerSettings#retryNanos} and when the board changed
 *       ({@link #boardChanged}).</li>
 *   <li>What it keeps is bounded whatever the rate of inference ({@link #sizes()}); every tunable is in
 *       {@link ControllerSettings}.</li>
 * </ul>
 */
public final class OnlineController {

    private final ControllerSettings settings;
    /** One phase per registered model, in the order they came (a model handed off goes to the end). */
    private final Map<String, ModelPhase> models = new LinkedHashMap<>();
    /** Times, per model registered, that it was found infeasible (each time it (re)became so); and in all. */
    private final Map<String, Long> infeasibleEvents = new HashMap<>();
    private long infeasibleEventsTotal;
    private OperatingPoint idlePoint;
    /** Mixes met, by their members' names (sorted), the least recently in force dropped past {@link #MIXES_KEPT}. */
    private final Map<List<String>, MixState> mixes = new LinkedHashMap<>(16, 0.75f, true);
    /** What was learned of mixes before (files read back at start, mixes dropped from memory), by members' names. */
    private final Map<List<String>, LearnedMix> learnedMixes = new LinkedHashMap<>();
    /** The mix in force as last decided (null: none), and since when. */
    private MixState mix;
    private long mixSince;
    /** The latest time it was told (for what a mix learned when a member leaves between decisions). */
    private long latest;
    /** Mixes dropped from memory (a member left, or too many) whose learning is still to be filed. */
    private final List<LearnedMix> toFile = new java.util.ArrayList<>();
    /** Energy windows learned by mixes dropped from memory, and how many were dropped: {@link #mixLearning}. */
    private long droppedWindows;
    private long dropped;

    /** Mixes remembered at once: a board runs a few pipelines, not hundreds. */
    static final int MIXES_KEPT = 16;
    /** What was learned of mixes is kept for at most this many (files read at start beyond it are ignored). */
    static final int LEARNED_MIXES_KEPT = 256;

    /** How many models the controller holds, in which phase, and how many latencies they keep, for status. */
    public record Sizes(int learning, int infeasible, int governed, long samplesKept) {

        public int models() {
            return learning + infeasible + governed;
        }
    }

    public OnlineController(ControllerSettings settings) {
        this.settings = settings;
    }

    public ControllerSettings settings() {
        return settings;
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
        infeasibleEvents.remove(model);
        enter(new ModelPhase.Governed(
                state(model, table, start.budgetMs(), percentile, start.chosen(), profiledHere, Double.NaN, now), null));
    }

    /**
     * Registers (or re-registers) a model that has no profile: it is held at the fastest point of {@code key}'s
     * grids and learns a profile on the board ({@link Discovery}), then is governed from it as any other. A budget
     * that even the fastest point misses is only known once it has run there: {@link #infeasible} says so then, and
     * it is measured again every {@link ControllerSettings#retryNanos} or when the board changed
     * ({@link #boardChanged}).
     */
    public void registerUnprofiled(String model, ProfileKey key, Budget budget, Percentile percentile, long now) {
        Discovery d = new Discovery(model, key, budget, percentile, settings, now);
        infeasibleEvents.remove(model);
        enter(new ModelPhase.Learning(d));
        idleAtMost(OperatingPoint.of(key.cpuGridKHz().stream().min(Long::compare).orElseThrow(),
                key.gpuGridHz().stream().min(Long::compare).orElseThrow()));
    }

    /**
     * Makes {@code next} its model's phase. A model keeps its place in the order while it stays governed or not; one
     * handed off (or registered anew with a profile) goes to the end, as it did when these were two maps. A mix it was
     * in is forgotten when its state is replaced (a new budget or profile).
     */
    private void enter(ModelPhase next) {
        ModelPhase before = models.get(next.name());
        if (before instanceof ModelPhase.Governed && before != next) {
            forgetMixesOf(next.name());
        }
        if (before != null && (before instanceof ModelPhase.Governed) != (next instanceof ModelPhase.Governed)) {
            models.remove(next.name());
        }
        models.put(next.name(), next);
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
                predictedSd, now);
        long cpu = table.rows().stream().mapToLong(m -> m.point().cpuKHz()).min().orElseThrow();
        long gpu = table.rows().stream().mapToLong(m -> m.point().gpuHz()).min().orElseThrow();
        Long emc = table.rows().stream().map(m -> m.point().emcHz()).filter(e -> e != null).min(Long::compare).orElse(null);
        idleAtMost(new OperatingPoint(cpu, gpu, emc));
        return state;
    }

    /**
     * Moves a model without a profile on after its walk was told something: to {@code Governed} once it learned its
     * profile (the hand-off), to {@code Infeasible} when the fastest point missed the budget, back to
     * {@code Learning} when the fastest point, measured again, met it; an infeasible model is measured again once its
     * time has come, and after a measurement that still missed waits another {@code retryNanos}.
     */
    private void advance(ModelPhase phase, long now) {
        if (phase instanceof ModelPhase.Learning l) {
            Discovery d = l.walk();
            if (d.learned() != null) {
                enter(handOff(d, now));
            } else if (d.infeasible()) {
                infeasibleEvents.merge(d.name, 1L, Long::sum);
                infeasibleEventsTotal++;
                enter(new ModelPhase.Infeasible(d, now, now + settings.retryNanos(), false));
            }
        } else if (phase instanceof ModelPhase.Infeasible i) {
            Discovery d = i.walk();
            if (!d.infeasible()) {
                enter(new ModelPhase.Learning(d)); // measured again, the budget is met: it learns on
            } else if (i.measuring() && !d.retrying()) {
                // measured again and missed again: the next time after the interval
                enter(new ModelPhase.Infeasible(d, i.since(), now + settings.retryNanos(), false));
            } else if (!i.measuring() && now >= i.retryAt()) {
                retry(i, now);
            }
        }
    }

    /**
     * A model that learned its profile on the board goes on as any other: from the cheapest point it measured that
     * keeps the budget less the margin (the fastest when none does), with the profile's predicted rows as uncertain
     * as its models' error.
     */
    private ModelPhase.Governed handOff(Discovery d, long now) {
        ProfileTable table = d.learned();
        double limit = d.budgetMs() * (1 - settings.margin());
        Measurement start = table.rows().stream().filter(m -> !m.predicted() && d.percentile.of(m) <= limit)
                .min(Comparator.comparingDouble(Measurement::energyJ)).orElse(table.fastest(d.percentile));
        ModelState s = state(d.name, table, d.budgetMs(), d.percentile, start, true, d.predictedSd(), now);
        s.seen(d.lastSeen());
        return new ModelPhase.Governed(s, table);
    }

    /** The profile {@code model} learned without one (null while learning, or for a model registered with one). */
    public ProfileTable discoveredProfile(String model) {
        return models.get(model) instanceof ModelPhase.Governed g ? g.discovered() : null;
    }

    /**
     * Whether {@code model}, registered without a profile, has a budget the fastest point misses, as last measured
     * there (it is held there, and measured again from time to time).
     */
    public boolean infeasible(String model) {
        return models.get(model) instanceof ModelPhase.Infeasible;
    }

    /**
     * How many times {@code model} was found infeasible since it was registered: each time it (re)became so, once
     * per episode (a measurement again that still misses is the same episode). A caller logs and counts when this
     * grew since it last asked.
     */
    public long infeasibleEvents(String model) {
        return infeasibleEvents.getOrDefault(model, 0L);
    }

    /** How many times any model was found infeasible, in all (unregistering does not take any back). */
    public long infeasibleEvents() {
        return infeasibleEventsTotal;
    }

    /**
     * The board changed under the models (another writer's caps, a throttle began or ended): every model whose budget
     * was infeasible is measured again at its fastest point from {@code now}, and learns on if the budget is met.
     * A governed model is not affected (its latencies tell it already); a mix's energy being summed is dropped.
     */
    public void boardChanged(long now) {
        if (mix != null) {
            mix.discardEnergy(); // measured partly under the board as it was
        }
        for (ModelPhase p : List.copyOf(models.values())) {
            if (p instanceof ModelPhase.Infeasible i) {
                retry(i, now); // a measurement under way starts again: it began on the board as it was
            }
        }
    }

    /** Measures an infeasible model's fastest point again, from {@code now} (fresh samples). */
    private void retry(ModelPhase.Infeasible i, long now) {
        i.walk().retry(now);
        enter(new ModelPhase.Infeasible(i.walk(), i.since(), now, true));
    }

    /**
     * In which phase {@code model} is, in a word: {@code learning} (without a profile, learning one),
     * {@code infeasible} (its budget missed even at the fastest point), {@code governed}; null for a model not
     * registered.
     */
    public String phaseOf(String model) {
        ModelPhase p = models.get(model);
        return p == null ? null : p.describe();
    }

    /**
     * How soon {@code model}'s next report is wanted, in ns (0: at its reporter's own pace): while it is walked
     * (learning, or measured again after an infeasible budget), every step waits for the latencies reported.
     */
    public long reportWithinNanos(String model) {
        return models.get(model) instanceof ModelPhase.Walking ? settings.walkReportNanos() : 0;
    }

    /** Latencies {@code model} keeps in its buffers (0 for a model not registered): bounded, whatever its rate. */
    public int samplesKept(String model) {
        ModelPhase p = models.get(model);
        return p == null ? 0 : p.samplesKept();
    }

    /** How many models are in which phase and how many latencies the controller keeps for them all. */
    public Sizes sizes() {
        int learning = 0;
        int infeasible = 0;
        int governed = 0;
        long kept = 0;
        for (ModelPhase p : models.values()) {
            if (p instanceof ModelPhase.Learning) {
                learning++;
            } else if (p instanceof ModelPhase.Infeasible) {
                infeasible++;
            } else {
                governed++;
            }
            kept += p.samplesKept();
        }
        for (MixState m : mixes.values()) {
            kept += m.samplesKept();
        }
        return new Sizes(learning, infeasible, governed, kept);
    }

    public void unregister(String model) {
        forgetMixesOf(model);
        models.remove(model);
        infeasibleEvents.remove(model);
    }

    /**
     * One inference of {@code model} that ended at {@code now} after {@code latencyMs}. One that began before the
     * model moved to the point it holds ran partly at another: it says nothing of this one (a client that reports in
     * batches sends such latencies after the move), and only its time is taken.
     */
    public void observe(String model, long now, double latencyMs) {
        ModelPhase p = models.get(model);
        if (p == null) {
            return;
        }
        long began = now - Math.round(latencyMs * 1e6);
        if (p instanceof ModelPhase.Governed g) {
            ModelState s = g.state();
            s.seen(now);
            s.ended(now, latencyMs);
            if (mix != null && mix.has(model)) {
                mix.observe(model, now, latencyMs); // learned in the mix; its own state kept for when it runs alone
                return;
            }
            if (began >= s.enteredAt()) {
                s.record(latencyMs);
            }
            adjust(s, now);
            return;
        }
        Discovery d = p instanceof ModelPhase.Learning l ? l.walk() : ((ModelPhase.Infeasible) p).walk();
        advance(p, now); // an infeasible model due to be measured again starts with this inference
        p = models.get(model);
        // while another model runs, the board holds more than this one asked for: what it measures is not its own
        if (!othersActive(model, now)) {
            d.observe(latencyMs, began, now);
        }
        d.seen(now);
        advance(p, now);
    }

    /**
     * The board's energy per inference of {@code model} measured over an interval in which it alone ran
     * {@code inferences} inferences (counted by their share in it) and {@code point} was held throughout. A point
     * outside its profile is ignored.
     */
    public void observeEnergy(String model, OperatingPoint point, double joulesPerInference, double inferences, long now) {
        ModelPhase p = models.get(model);
        if (p instanceof ModelPhase.Governed g) {
            g.state().observeEnergy(point, joulesPerInference, inferences, now);
        } else if (p instanceof ModelPhase.Learning l) {
            l.walk().observeEnergy(point, joulesPerInference, inferences, now);
            advance(p, now);
        } else if (p instanceof ModelPhase.Infeasible i) {
            i.walk().observeEnergy(point, joulesPerInference, inferences, now);
            advance(p, now);
        }
    }

    /**
     * The board's energy measured from {@code from} to {@code to} (ns), {@code held} the point held at its end: it
     * teaches the power of the mix in force, if one was throughout and the board held its point or the idle setting
     * between inferences.
     */
    public void observeMixEnergy(long from, long to, double joules, OperatingPoint held) {
        if (mix == null) {
            return;
        }
        if (held.equals(mix.current()) || held.equals(idlePoint)) {
            mix.energy(from, to, joules, mixSince);
        } else {
            mix.discardEnergy(); // the board held another point (a walk beside the mix, another writer's caps)
        }
    }

    /** The mix in force now ({@link MixStatus}); null when none is. */
    public MixStatus mixStatus(long now) {
        return mix == null ? null : new MixStatus(mix.key, mix.current(), mix.predictedWatts(mix.current(), now),
                mix.profileWatts(mix.current(), now), mix.windowsLearned());
    }

    /**
     * A mix in force: its members, the point held, the board power predicted there (W) and what the members' profiles
     * alone predict (W; the ratio is what was learned of the mix), the energy windows learned from.
     */
    public record MixStatus(String members, OperatingPoint point, double predictedWatts, double profileWatts,
                            long windowsLearned) {
    }

    /**
     * What {@code model} has learned, as profile rows: every point whose energy it measured, its energy per inference
     * now estimated (the profile's row corrected; a row learned before is measured again, its inferences added), the
     * latencies the profile's. Empty for a model not governed.
     */
    public List<Measurement> learnedRows(String model, long now) {
        if (!(models.get(model) instanceof ModelPhase.Governed g)) {
            return List.of();
        }
        ModelState s = g.state();
        List<Measurement> out = new java.util.ArrayList<>();
        s.inferencesLearned().forEach((point, n) -> {
            Measurement m = s.candidate(point);
            // the board as it is now: the point's own correction and the drift common to every point
            double f = Math.exp(s.energyAt(m, now).mean() + s.energyLevel());
            long before = m.source() == Measurement.Source.LEARNED ? m.inferences() : 0;
            out.add(new Measurement(point, m.meanMs(), m.p50Ms(), m.p95Ms(), m.p99Ms(), m.energyJ() * f, m.powerW() * f,
                    m.cov(), before + Math.round(n), m.tempC(), Measurement.Source.LEARNED, m.idleW()));
        });
        return out;
    }

    /** How many points of {@code model}'s grid have measured energy (0 for a model not governed). */
    public int pointsLearned(String model) {
        return models.get(model) instanceof ModelPhase.Governed g ? g.state().pointsLearned() : 0;
    }

    /** {@code model} is about to run an inference: it is active from now, whatever the controller held while idle. */
    public void begin(String model, long now) {
        ModelPhase p = models.get(model);
        if (p != null) {
            p.seen(now);
        }
    }

    /** The point to hold now. */
    public Decision decide(long now) {
        latest = Math.max(latest, now);
        MixState inForce = mixInForce(now);
        OperatingPoint held = null;
        String who = null;
        // the governed models first, then those without a profile (the order of the names said)
        for (boolean governed : new boolean[] {true, false}) {
            for (ModelPhase p : models.values()) {
                if ((p instanceof ModelPhase.Governed) == governed && active(p.lastSeen(), now)) {
                    OperatingPoint wants = inForce != null && inForce.has(p.name()) ? inForce.current() : p.point();
                    held = held == null ? wants : highest(held, wants);
                    who = who == null ? p.name() : who + "+" + p.name();
                }
            }
        }
        if (held == null) {
            return new Decision(idlePoint, null, models.isEmpty() ? "no model registered" : "idle");
        }
        return new Decision(held, who, "working");
    }

    /**
     * A model's budget in ms (a slowdown resolved against its profile), NaN for a model not registered and for one
     * without a profile until its fastest point has been measured.
     */
    public double budgetMsOf(String model) {
        ModelPhase p = models.get(model);
        return p == null ? Double.NaN : p.budgetMs();
    }

    /** The point a model works at, for status and metrics. */
    public OperatingPoint pointOf(String model) {
        ModelPhase p = models.get(model);
        return p == null ? null : p.point();
    }

    /**
     * The mix of the governed models that each ran within {@link ControllerSettings#mixNanos} (two or more, every
     * one's pace known, on a common grid), met before or new; null when there is none or mixes are off.
     */
    private MixState mixInForce(long now) {
        List<ModelState> states = new java.util.ArrayList<>();
        if (settings.jointMix()) {
            for (ModelPhase p : models.values()) {
                if (p instanceof ModelPhase.Governed g && p.lastSeen() != Long.MIN_VALUE
                        && now - p.lastSeen() < settings.mixNanos()) {
                    states.add(g.state());
                }
            }
        }
        MixState found = null;
        if (states.size() >= 2 && states.stream().allMatch(s -> Double.isFinite(s.ratePerS()))) {
            states.sort(Comparator.comparing(s -> s.name));
            List<String> names = states.stream().map(s -> s.name).toList();
            found = mixes.get(names);
            if (found == null && MixState.holdable(states)) {
                found = new MixState(String.join("+", names), states, learnedMixes.get(names), settings, now);
                mixes.put(names, found);
                if (mixes.size() > MIXES_KEPT) {
                    drop(mixes.remove(mixes.keySet().iterator().next()), now); // the least recently in force
                }
            }
        }
        if (found != mix) {
            if (mix != null) {
                // its members ran at the mix's point until now: their own latencies count from here
                mix.memberStates().forEach(st -> st.restartAt(now));
            }
            mix = found;
            mixSince = now;
            if (found != null) {
                found.resume(now);
            }
        }
        return mix;
    }

    private void keepLearned(LearnedMix learned) {
        if (!learned.points().isEmpty() && (learnedMixes.containsKey(learned.members())
                || learnedMixes.size() < LEARNED_MIXES_KEPT)) {
            learnedMixes.put(learned.members(), learned);
        }
    }

    /** What was learned of mixes before (read back from the models-cache): a mix of the same members starts from it. */
    public void rememberMixes(List<LearnedMix> learned) {
        learned.forEach(this::keepLearned);
    }

    /**
     * What every mix met has learned so far, to be filed (only mixes that measured something): those in memory, and
     * those dropped since the last call.
     */
    public List<LearnedMix> learnedMixes(long now) {
        List<LearnedMix> out = new java.util.ArrayList<>(toFile);
        toFile.clear();
        for (MixState m : mixes.values()) {
            LearnedMix l = m.learned(now);
            if (!l.points().isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /**
     * A count that grows whenever mixes learned energy or one was dropped from memory: a saver's cue that there is
     * something new to file.
     */
    public long mixLearning() {
        return droppedWindows + dropped + mixes.values().stream().mapToLong(MixState::windowsLearned).sum();
    }

    /** A mix leaves memory: what it learned is kept (a mix of the same members starts from it) and filed. */
    private void drop(MixState m, long now) {
        LearnedMix learned = m.learned(now);
        keepLearned(learned);
        if (!learned.points().isEmpty()) {
            toFile.removeIf(l -> l.members().equals(learned.members()));
            toFile.add(learned);
        }
        droppedWindows += m.windowsLearned();
        dropped++;
    }

    private void forgetMixesOf(String model) {
        mixes.values().removeIf(m -> {
            if (m.has(model)) {
                drop(m, latest); // its factors stand for another budget too
                return true;
            }
            return false;
        });
        if (mix != null && mix.has(model)) {
            mix = null;
        }
    }

    private boolean active(long lastSeen, long now) {
        return lastSeen != Long.MIN_VALUE && now - lastSeen < settings.idleNanos();
    }

    private boolean othersActive(String model, long now) {
        return models.values().stream().anyMatch(p -> !p.name().equals(model) && active(p.lastSeen(), now));
    }

    private void adjust(ModelState s, long now) {
        LatencyWindow w = s.window();
        if (!w.judged()) {
            return;
        }
        double correction = s.learn(now);
        double target = s.budgetMs * (1 - settings.margin());
        if (w.threatened()) {
            Measurement faster = fasterMeeting(s, target, correction, now);
            if (faster != null) {
                // do not come back here soon: the point failed under the present conditions
                s.barFromHere(now);
                s.moveTo(faster, now, false);
            }
            return;
        }
        if (!s.dwelt(now) || !s.choiceDue(now)) {
            return;
        }
        double tail = s.tail(correction, now);
        Measurement best = null;
        double bestJ = Double.POSITIVE_INFINITY;
        Measurement probe = null;
        double probeJ = Double.POSITIVE_INFINITY;
        for (Measurement m : s.candidates()) {
            if (s.barred(m, now) || s.predicted(m, correction, tail, now, 0) > s.budgetMs) {
                continue;
            }
            PointCorrection.Estimate e = s.energyAt(m, now);
            double cost = s.cost(m, now);
            double mean = cost * e.factor();
            double low = cost * e.lowerFactor(settings.exploreSds());
            if (mean < bestJ) {
                best = m;
                bestJ = mean;
            }
            // a point is tried only if it meets the budget even when its latency is as bad as it plausibly can be
            if (low < probeJ && s.predicted(m, correction, tail, now, settings.exploreSds()) <= s.budgetMs) {
                probe = m;
                probeJ = low;
            }
        }
        if (best == null) {
            return;
        }
        boolean learning = s.pointsLearned() > 0;
        s.settle(now); // a point tried has been held its dwell: from here it is judged as any other
        // a slower point only from one that keeps the budget with room to spare (hysteresis), as before learning
        boolean headroom = s.percentile.of(s.current()) * correction <= s.budgetMs * (1 - settings.hysteresis());
        // the next try must fit in the share, after an allowance of two dwells
        boolean mayExplore = learning && s.mayExplore(now);
        double currentJ = s.cost(s.current(), now) * s.energyAt(s.current(), now).factor();
        if (mayExplore && probe != best && probe != s.current() && probeJ < bestJ * (1 - settings.minExploreGain())
                && (!slower(s, probe) || headroom)) {
            s.moveTo(probe, now, true);
        } else if (best != s.current() && bestJ < currentJ * (1 - settings.minGain()) && (!slower(s, best) || headroom)) {
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
        for (Measurement m : s.candidates()) {
            if (s.predicted(m, correction, tail, now, s.settings.exploreSds()) > target) {
                continue;
            }
            anyMeets = true;
            double j = s.cost(m, now) * s.energyAt(m, now).factor();
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
