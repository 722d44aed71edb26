package io.joulegov.governor.core;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.Emc;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.FrequencyTable;
import io.joulegov.device.power.EnergyReading;
import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.online.ControllerSettings;
import io.joulegov.policies.online.Decision;
import io.joulegov.policies.online.OnlineController;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.policies.select.Percentile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The governor itself, with no thread, socket or sampler of its own: it holds the online controller's choice for
 * the registered models on the board, within the caps another writer left, and gives every knob back on
 * {@link #release()}. Every call takes the time. One thread owns it, the {@code GovernorLoop}'s, which the daemon,
 * an application governing in-process, compare's adaptive mode and the soak all run. Its life is a kernel governor's:
 * {@link #register} (start), {@link #limits} (another writer's caps), {@link #tick} / {@link #report} /
 * {@link #energy} (update), {@link #release} (stop). Its three jobs are apart: governing (here), energy attribution
 * ({@link EnergyAttribution}) and the other-writer back-off ({@link OtherWriterBackoff}).
 */
public final class GovernorCore {

    /** Inferences remembered per model until credited (a bound for a caller that never measures energy). */
    static final int MAX_RUNS_KEPT = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(GovernorCore.class);

    /** What the governor did, for meters; every method does nothing unless overridden. */
    public interface Events {
        /** One inference of {@code model} took {@code ms} against a budget of {@code budgetMs}. */
        default void inference(String model, double ms, double budgetMs) {
        }

        /**
         * The core now holds {@code point} (for {@code why}: the models it serves, or "idle"); {@code first} when it
         * held nothing before (the first pin, or after another writer's change). The daemon logs it; a simulated
         * run keeps quiet.
         */
        default void held(OperatingPoint point, String why, boolean first) {
        }

        /** Another program changed a knob the governor holds. */
        default void otherWriter() {
        }

        /** {@code model}, registered without a profile, misses its budget ({@code budgetMs}) even at the fastest point. */
        default void infeasible(String model, double budgetMs) {
        }

        /** {@code model}'s profile has no EMC axis on a board that can lock the EMC: the kernel keeps the memory clock. */
        default void emcLeftToKernel(String model) {
        }
    }

    private final Board board;
    private final ClockPinner pinner;
    private final Events events;
    private final OnlineController controller;
    private final Map<String, ProfileTable> profiles = new LinkedHashMap<>();
    private final OtherWriterBackoff backoff;
    private final EnergyAttribution attribution;
    /** How often each model was found infeasible, as last told to {@link Events#infeasible}. */
    private final Map<String, Long> infeasibleTold = new HashMap<>();
    /** Models found infeasible and not yet found feasible again (for the log line that says so). */
    private final Set<String> stillInfeasible = new HashSet<>();
    /** Registered models whose two-axis profile was said (once) to leave the EMC to the kernel. */
    private final Set<String> emcLeftToKernelSaid = new HashSet<>();
    private OperatingPoint held;
    private boolean released;
    /** When the point held was pinned: an interval that began before it is not credited to it. */
    private long heldSince = Long.MIN_VALUE;

    public GovernorCore(Board board, ClockPinner pinner, Events events) {
        this(board, pinner, events, ControllerSettings.defaults());
    }

    public GovernorCore(Board board, ClockPinner pinner, Events events, ControllerSettings settings) {
        this.board = board;
        this.pinner = pinner;
        this.events = events;
        this.controller = new OnlineController(settings);
        this.backoff = new OtherWriterBackoff(board);
        this.attribution = new EnergyAttribution(settings.minWork(), settings.minWorkAtChange(), MAX_RUNS_KEPT);
    }

    /**
     * Registers (or re-registers) a model with its profile and budget, and holds its starting point.
     *
     * @throws InfeasibleException when no point of the profile meets the budget; nothing is written then
     */
    public synchronized OperatingPoint register(String model, ProfileTable profile, Budget budget, Percentile q, long now) {
        requireRunning();
        String serial = board.identity().serial();
        controller.register(model, profile, budget, q, now, serial != null && serial.equals(profile.key().serial()));
        if (board.emc().filter(e -> e.lockable() && !e.ratesHz().isEmpty()).isPresent()
                && profile.rows().stream().allMatch(m -> m.point().emcHz() == null) && emcLeftToKernelSaid.add(model)) {
            events.emcLeftToKernel(model);
        }
        profiles.put(model, profile);
        infeasibleTold.remove(model);
        stillInfeasible.remove(model);
        controller.begin(model, now);
        tick(now);
        return withinCaps(controller.pointOf(model));
    }

    /**
     * Registers (or re-registers) a model that has no profile: it is held at the board's fastest point and learns one
     * ({@code toLearn} names it; see {@link #keyToLearn}), then is governed from it. A budget even the fastest point
     * misses is told to {@link Events#infeasible} each time it is found so, and the fastest point is held; it is
     * measured again now and then, and when the board's caps change.
     */
    public synchronized OperatingPoint registerUnprofiled(String model, ProfileKey toLearn, Budget budget, Percentile q,
                                                          long now) {
        requireRunning();
        controller.registerUnprofiled(model, toLearn, budget, q, now);
        profiles.put(model, null);
        infeasibleTold.remove(model);
        stillInfeasible.remove(model);
        controller.begin(model, now);
        tick(now);
        return withinCaps(controller.pointOf(model));
    }

    /**
     * The key of a profile learned on {@code board} for a model that came without one: this unit, its CPU and GPU
     * clock tables, with {@code emc} the EMC's rates where the board can lock it (up to the power mode's EMC cap:
     * rates above it are never held), the model as the application named it (its hash empty when it gave none); how
     * it runs unknown.
     */
    public static ProfileKey keyToLearn(Board board, String model, String hash, int batch, String source, boolean emc) {
        var id = board.identity();
        List<Long> emcRates = !emc ? List.of()
                : board.emc().filter(Emc::lockable).map(e -> e.ratesWithinCap(board.root())).orElse(List.of());
        return new ProfileKey(id.kind(), id.l4t(), id.powerMode(), id.serial(), board.cpuPolicies().get(0).frequenciesKHz(),
                board.gpu().orElseThrow().frequenciesHz(), emcRates, model, hash == null ? "" : hash, batch, List.of(),
                "unknown", 0, 0, 0, 0, 0, source);
    }

    /** {@code model} is about to run after a pause: hold its working point now. */
    public synchronized void begin(String model, long now) {
        requireRunning();
        requireRegistered(model);
        controller.begin(model, now);
        tick(now);
    }

    /**
     * Finished inferences of {@code model} (ms) and how long before {@code now} each ended (ms; empty when the client
     * did not say: then they ran back to back, the last ending now). Each is credited to the energy of the time it ran.
     * Answers how soon the model's next report is wanted (zero: at its reporter's own pace).
     */
    public synchronized Duration report(String model, List<Double> latenciesMs, List<Double> endedMsAgo, long now) {
        requireRunning();
        requireRegistered(model);
        double budgetMs = controller.budgetMsOf(model);
        long[] ends = new long[latenciesMs.size()];
        long end = now;
        for (int i = latenciesMs.size() - 1; i >= 0; i--) {
            if (!endedMsAgo.isEmpty()) {
                end = now - Math.round(endedMsAgo.get(i) * 1e6);
            }
            ends[i] = end;
            long start = end - Math.round(latenciesMs.get(i) * 1e6);
            attribution.ran(model, new EnergyAttribution.Run(start, end));
            end = start;
        }
        for (int i = 0; i < ends.length; i++) {
            controller.observe(model, Math.min(now, ends[i]), latenciesMs.get(i)); // each when it ended
            events.inference(model, latenciesMs.get(i), budgetMs);
        }
        long found = controller.infeasibleEvents(model);
        if (found > infeasibleTold.getOrDefault(model, 0L)) {
            infeasibleTold.put(model, found);
            stillInfeasible.add(model);
            LOG.warn("{}: even the fastest point misses the budget of {} ms; holding it and measuring again later", model,
                    controller.budgetMsOf(model));
            events.infeasible(model, controller.budgetMsOf(model));
        } else if (!controller.infeasible(model) && stillInfeasible.remove(model)) {
            LOG.info("{}: the fastest point meets the budget of {} ms again; learning goes on", model,
                    controller.budgetMsOf(model));
        }
        tick(now);
        return Duration.ofNanos(controller.reportWithinNanos(model));
    }

    /**
     * What the caller's power sampler measured over an interval. It is credited one interval later, when every
     * inference that overlapped it has been reported; an interval in which a rail failed to read teaches nothing.
     */
    public synchronized void energy(EnergyReading r) {
        if (released) {
            return;
        }
        boolean usable = held != null && heldSince <= r.startNanos() && r.endNanos() > r.startNanos()
                && r.missingSamples() == 0 && r.joules() > 0 && Double.isFinite(r.joules());
        if (held != null && r.endNanos() > r.startNanos() && r.missingSamples() == 0 && r.joules() > 0
                && Double.isFinite(r.joules())) {
            controller.observeMixEnergy(r.startNanos(), r.endNanos(), r.joules(), held);
        }
        for (EnergyAttribution.Observation o : attribution.measured(
                new EnergyAttribution.Interval(r.startNanos(), r.endNanos(), r.joules(), usable ? held : null))) {
            controller.observeEnergy(o.model(), o.point(), o.joulesPerInference(), o.inferences(), o.at());
        }
    }

    /** How many measured intervals taught the controller energy, and how many two models shared (so taught none). */
    public record Learning(long intervalsLearned, long intervalsShared) {
    }

    public synchronized Learning learning() {
        return new Learning(attribution.intervalsLearned(), attribution.intervalsShared());
    }

    /** {@code model}'s profile with what was learned on this board in place of the rows it corrects. */
    public synchronized ProfileTable learnedProfile(String model, long now) {
        ProfileTable given = profiles.get(model);
        ProfileTable profile = given != null ? given : controller.discoveredProfile(model);
        if (profile == null) {
            return null;
        }
        Map<OperatingPoint, Measurement> rows = new LinkedHashMap<>();
        profile.rows().forEach(m -> rows.put(m.point(), m));
        controller.learnedRows(model, now).forEach(m -> rows.put(m.point(), m));
        return new ProfileTable(profile.key(), List.copyOf(rows.values()));
    }

    public synchronized void unregister(String model) {
        controller.unregister(model);
        profiles.remove(model);
        infeasibleTold.remove(model);
        stillInfeasible.remove(model);
        emcLeftToKernelSaid.remove(model);
        attribution.forget(model);
    }

    public synchronized List<String> models() {
        return new ArrayList<>(profiles.keySet());
    }

    /**
     * How much the core keeps, for a soak and a test to check that nothing grows without bound: models, other writes
     * remembered, inferences awaiting their energy, latencies the controller keeps, and models learning, infeasible
     * and governed.
     */
    public record State(int models, int otherWritesRemembered, int inferencesRemembered, long samplesKept, int learning,
                        int infeasible, int governed) {
    }

    public synchronized State state() {
        OnlineController.Sizes sizes = controller.sizes();
        return new State(profiles.size(), backoff.remembered(), attribution.runsKept(), sizes.samplesKept(),
                sizes.learning(), sizes.infeasible(), sizes.governed());
    }

    /** What was learned of mixes before (read back from the models-cache): a mix of the same members starts from it. */
    public synchronized void rememberMixes(List<LearnedMix> learned) {
        controller.rememberMixes(learned);
    }

    /** What every mix met has learned so far (those that measured something), to be filed. */
    public synchronized List<LearnedMix> learnedMixes(long now) {
        return controller.learnedMixes(now);
    }

    /** A count that grows whenever a mix learned energy or was dropped from memory (its learning to be filed). */
    public synchronized long mixLearning() {
        return controller.mixLearning();
    }

    /** The mix of models governed as one now (null when none is), its point and the board power it predicts there. */
    public synchronized OnlineController.MixStatus mix(long now) {
        return controller.mixStatus(now);
    }

    /** The point held now (null before the first registration, after a release and while backed off). */
    public synchronized OperatingPoint held() {
        return held;
    }

    /** Pins what the controller decides now (within another writer's caps), when it differs from what is held. */
    public synchronized void tick(long now) {
        if (released || profiles.isEmpty() || !backoff.mayWrite(now)) {
            return;
        }
        Decision d = controller.decide(now);
        OperatingPoint target = withinCaps(d.point());
        if (!target.equals(held)) {
            pinner.pin(target.cpuKHz(), target.gpuHz(), target.emcHz());
            heldSince = now;
            backoff.wrote();
            events.held(target, d.idle() ? "idle" : d.model(), held == null);
            held = target;
        }
    }

    /**
     * Looks for another program's writes to the knobs held (see {@link OtherWriterBackoff}); the controller is told
     * that the board changed, so that a budget found infeasible is measured again under the new caps.
     */
    public synchronized void limits(long now) {
        if (released || held == null || !backoff.mayWrite(now)) {
            return;
        }
        if (backoff.look(now) == OtherWriterBackoff.Seen.NOTHING) {
            return;
        }
        events.otherWriter();
        held = null;
        attribution.discard(); // its clocks were not ours throughout
        controller.boardChanged(now);
    }

    /**
     * Stops governing and gives every knob back as it was before the first write. It is final: a report or tick that
     * comes late (an inference thread still running) writes nothing, and registering again is refused.
     */
    public synchronized void release() {
        released = true;
        held = null;
        pinner.release();
    }

    private void requireRunning() {
        if (released) {
            throw new IllegalStateException("the governor has stopped");
        }
    }

    private void requireRegistered(String model) {
        if (!profiles.containsKey(model)) {
            throw new IllegalArgumentException("model " + model + " is not registered");
        }
    }

    /**
     * The highest available clocks at or below the caps another writer left and the power mode's EMC cap (the point
     * itself when under them).
     */
    private OperatingPoint withinCaps(OperatingPoint p) {
        long cpu = atOrBelow(board.cpuPolicies().get(0).frequenciesKHz(), Math.min(p.cpuKHz(), backoff.cpuCapKHz()), p.cpuKHz());
        long gpu = atOrBelow(board.gpu().orElseThrow().frequenciesHz(), Math.min(p.gpuHz(), backoff.gpuCapHz()), p.gpuHz());
        Long emc = p.emcHz() == null ? null : atOrBelow(board.emc().map(e -> e.ratesHz()).orElse(List.of()),
                Math.min(p.emcHz(), backoff.emcCapHz()), p.emcHz());
        return cpu == p.cpuKHz() && gpu == p.gpuHz() && java.util.Objects.equals(emc, p.emcHz()) ? p
                : new OperatingPoint(cpu, gpu, emc);
    }

    /** An empty table keeps the point's value, so that pinning it says in words that the table is missing. */
    private static long atOrBelow(List<Long> table, long cap, long otherwise) {
        return table.isEmpty() ? otherwise : FrequencyTable.atOrBelow(table, cap);
    }
}
