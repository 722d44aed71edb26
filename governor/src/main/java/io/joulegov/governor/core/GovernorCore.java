package io.joulegov.governor.core;

import io.joulegov.device.board.Board;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.FrequencyTable;
import io.joulegov.device.power.EnergyReading;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The governor itself, with no thread, socket or sampler of its own: it holds the online controller's choice for
 * the registered models on the board, within the caps another writer left, and gives every knob back on
 * {@link #release()}. Every call takes the time, so the daemon (real time), an application governing in-process and
 * compare's adaptive mode (virtual time) run this one class. Its life is a kernel governor's: {@link #register}
 * (start), {@link #limits} (another writer's caps), {@link #tick} / {@link #report} / {@link #energy} (update),
 * {@link #release} (stop).
 *
 * <p>The board energy of each interval the caller measured is credited to the point held throughout it and to the
 * inferences that ran in it (each placed where its latency says it ran), so that the controller learns the energy
 * of the points it holds on this very board. While two models run in one interval their energy cannot be split: the
 * interval teaches nothing (their latencies still do).
 */
public final class GovernorCore {

    /** Inferences summed before one measurement of energy per inference is told to the controller. */
    static final double MIN_WORK = 20;
    /** Fewer inferences than this at a point that is left are not worth a measurement. */
    static final double MIN_WORK_AT_CHANGE = 5;

    /** Inferences remembered per model until credited (a bound for a caller that never measures energy). */
    static final int MAX_RUNS_KEPT = 4096;

    /** After a second write by another program within this long, the governor backs off for as long. */
    public static final Duration OTHER_WRITER_WINDOW = Duration.ofSeconds(60);

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
    }

    private final Board board;
    private final ClockPinner pinner;
    private final Events events;
    private final OnlineController controller = new OnlineController(ControllerSettings.defaults());
    private final Map<String, ProfileTable> profiles = new LinkedHashMap<>();
    private final KnobWatch watch;
    private final Deque<Long> otherWrites = new ArrayDeque<>();
    /** Models whose infeasible budget was told to {@link Events#infeasible}. */
    private final Set<String> infeasibleTold = new HashSet<>();
    private OperatingPoint held;
    private long cpuCapKHz = Long.MAX_VALUE;
    private long gpuCapHz = Long.MAX_VALUE;
    private long backedOffUntil = Long.MIN_VALUE;
    private boolean released;
    /** When the point held was pinned: an interval that began before it is not credited to it. */
    private long heldSince = Long.MIN_VALUE;
    /** Inferences not yet credited, per model: {start, end} in nanoseconds. */
    private final Map<String, Deque<long[]>> ran = new LinkedHashMap<>();
    /** The interval measured last, credited once the inferences that overlap it have been reported. */
    private Interval pending;
    private long intervalsLearned;
    private Sum sum;
    private long intervalsShared;

    /** An interval's board energy and the point held throughout it (null when the point changed within it). */
    private record Interval(long from, long to, double joules, OperatingPoint point) {
    }

    public GovernorCore(Board board, ClockPinner pinner, Events events) {
        this.board = board;
        this.pinner = pinner;
        this.events = events;
        this.watch = new KnobWatch(board);
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
        profiles.put(model, profile);
        controller.begin(model, now);
        tick(now);
        return controller.pointOf(model);
    }

    /**
     * Registers (or re-registers) a model that has no profile: it is held at the board's fastest point and learns one
     * ({@code toLearn} names it; see {@link #keyToLearn}), then is governed from it. A budget even the fastest point
     * misses is told to {@link Events#infeasible} once it is known, and the fastest point is held.
     */
    public synchronized OperatingPoint registerUnprofiled(String model, ProfileKey toLearn, Budget budget, Percentile q,
                                                          long now) {
        requireRunning();
        controller.registerUnprofiled(model, toLearn, budget, q, now);
        profiles.put(model, null);
        infeasibleTold.remove(model);
        controller.begin(model, now);
        tick(now);
        return controller.pointOf(model);
    }

    /**
     * The key of a profile learned on {@code board} for a model that came without one: this unit, its CPU and GPU
     * clock tables, the model as the application named it (its hash empty when it gave none); how it runs unknown.
     */
    public static ProfileKey keyToLearn(Board board, String model, String hash, int batch, String source) {
        var id = board.identity();
        return new ProfileKey(id.kind(), id.l4t(), id.powerMode(), id.serial(), board.cpuPolicies().get(0).frequenciesKHz(),
                board.gpu().orElseThrow().frequenciesHz(), List.of(), model, hash == null ? "" : hash, batch, List.of(),
                "unknown", 0, 0, 0, 0, 0, source);
    }

    /** {@code model} is about to run after a pause: hold its working point now. */
    public synchronized void begin(String model, long now) {
        requireRunning();
        requireRegistered(model);
        controller.begin(model, now);
        tick(now);
    }

    /** Finished inferences of {@code model} (ms), run back to back, the last ending {@code now}. */
    public synchronized void report(String model, List<Double> latenciesMs, long now) {
        report(model, latenciesMs, List.of(), now);
    }

    /**
     * Finished inferences of {@code model} (ms) and how long before {@code now} each ended (ms; empty when the client
     * did not say: then they ran back to back, the last ending now). Each is credited to the energy of the time it ran.
     */
    public synchronized void report(String model, List<Double> latenciesMs, List<Double> endedMsAgo, long now) {
        requireRunning();
        requireRegistered(model);
        double budgetMs = controller.budgetMsOf(model);
        Deque<long[]> runs = ran.computeIfAbsent(model, k -> new ArrayDeque<>());
        long end = now;
        for (int i = latenciesMs.size() - 1; i >= 0; i--) {
            if (!endedMsAgo.isEmpty()) {
                end = now - Math.round(endedMsAgo.get(i) * 1e6);
            }
            long start = end - Math.round(latenciesMs.get(i) * 1e6);
            if (runs.size() == MAX_RUNS_KEPT) {
                runs.removeFirst();
            }
            runs.addLast(new long[] {start, end});
            end = start;
        }
        for (double ms : latenciesMs) {
            controller.observe(model, now, ms);
            events.inference(model, ms, budgetMs);
        }
        if (controller.infeasible(model) && infeasibleTold.add(model)) {
            LOG.warn("{}: even the fastest point misses the budget of {} ms; holding it", model, controller.budgetMsOf(model));
            events.infeasible(model, controller.budgetMsOf(model));
        }
        tick(now);
    }

    /**
     * What the caller's power sampler measured over an interval. It is credited one interval later, when every
     * inference that overlapped it has been reported; an interval in which a rail failed to read teaches nothing.
     */
    public synchronized void energy(EnergyReading r) {
        if (released) {
            return;
        }
        if (pending != null) {
            credit(pending);
        }
        boolean usable = held != null && heldSince <= r.startNanos() && r.endNanos() > r.startNanos()
                && r.missingSamples() == 0 && r.joules() > 0 && Double.isFinite(r.joules());
        pending = new Interval(r.startNanos(), r.endNanos(), r.joules(), usable ? held : null);
    }

    /** How many measured intervals taught the controller energy, and how many two models shared (so taught none). */
    public record Learning(long intervalsLearned, long intervalsShared) {
    }

    public synchronized Learning learning() {
        return new Learning(intervalsLearned, intervalsShared);
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

    private void credit(Interval it) {
        String only = null;
        double work = 0;
        int models = 0;
        for (Map.Entry<String, Deque<long[]>> e : ran.entrySet()) {
            double w = 0;
            for (long[] r : e.getValue()) {
                long overlap = Math.min(r[1], it.to()) - Math.max(r[0], it.from());
                if (overlap > 0) {
                    w += overlap / (double) (r[1] - r[0]);
                }
            }
            e.getValue().removeIf(r -> r[1] <= it.to());
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
            observe(sum, MIN_WORK_AT_CHANGE); // what the point held showed before it changed
            sum = null;
        }
        if (clean) {
            sum = sum == null ? new Sum(only, it.point(), it.joules(), work, it.to()) : sum.plus(it.joules(), work, it.to());
            intervalsLearned++;
            if (sum.work() >= MIN_WORK) {
                observe(sum, MIN_WORK);
                sum = null;
            }
        }
    }

    /**
     * Energy per inference as the ratio of sums over the clean intervals at one point: with requests arriving at
     * random, one second holds 9 or 20 inferences and the idle power between them makes each second's ratio swing by
     * half; summing to {@link #MIN_WORK} inferences first keeps one measurement good to a few percent.
     */
    private void observe(Sum s, double minWork) {
        if (s.work() >= minWork) {
            controller.observeEnergy(s.model(), s.point(), s.joules() / s.work(), s.work(), s.to());
        }
    }

    /** Clean intervals at one point for one model, not yet told to the controller. */
    private record Sum(String model, OperatingPoint point, double joules, double work, long to) {
        Sum plus(double j, double w, long end) {
            return new Sum(model, point, joules + j, work + w, end);
        }
    }

    public synchronized void unregister(String model) {
        controller.unregister(model);
        profiles.remove(model);
        infeasibleTold.remove(model);
        ran.remove(model);
    }

    public synchronized List<String> models() {
        return new ArrayList<>(profiles.keySet());
    }

    /** How much the core keeps, for a soak to check that nothing grows without bound. */
    public record State(int models, int otherWritesRemembered, int inferencesRemembered) {
    }

    public synchronized State state() {
        return new State(profiles.size(), otherWrites.size(), ran.values().stream().mapToInt(Deque::size).sum());
    }

    /** The point held now (null before the first registration, after a release and while backed off). */
    public synchronized OperatingPoint held() {
        return held;
    }

    /** Pins what the controller decides now (within another writer's caps), when it differs from what is held. */
    public synchronized void tick(long now) {
        if (released || profiles.isEmpty() || now < backedOffUntil) {
            return;
        }
        if (backedOffUntil != Long.MIN_VALUE) {
            // back from backing off: the other writer may have left new caps (another power mode)
            backedOffUntil = Long.MIN_VALUE;
            cpuCapKHz = watch.cpuCapKHz();
            gpuCapHz = watch.gpuCapHz();
            LOG.info("taking the clocks back within the caps found: CPU <= {} kHz, GPU <= {} Hz", cpuCapKHz, gpuCapHz);
        }
        Decision d = controller.decide(now);
        OperatingPoint target = withinCaps(d.point());
        if (!target.equals(held)) {
            pinner.pin(target.cpuKHz(), target.gpuHz(), target.emcHz());
            heldSince = now;
            watch.expectNow();
            events.held(target, d.idle() ? "idle" : d.model(), held == null);
            held = target;
        }
    }

    /**
     * Looks for another program's writes to the knobs held (nvpmodel, jetson_clocks, a user). The first time, it
     * re-reads the caps that program left and holds the controller's choice within them from the next tick; a second
     * time within {@link #OTHER_WRITER_WINDOW}, it backs off as long without writing, so that the two never fight.
     */
    public synchronized void limits(long now) {
        if (released || held == null || now < backedOffUntil) {
            return;
        }
        List<String> changes = watch.changes();
        if (changes.isEmpty()) {
            return;
        }
        events.otherWriter();
        otherWrites.addLast(now);
        while (now - otherWrites.peekFirst() > OTHER_WRITER_WINDOW.toNanos()) {
            otherWrites.removeFirst();
        }
        LOG.warn("another program changed the clocks joulegov holds: {}", String.join(", ", changes));
        held = null;
        pending = null; // its clocks were not ours throughout
        sum = null;
        if (otherWrites.size() >= 2) {
            backedOffUntil = now + OTHER_WRITER_WINDOW.toNanos();
            otherWrites.clear();
            watch.forget();
            LOG.warn("it did so twice within {} s: leaving the clocks to it for {} s", OTHER_WRITER_WINDOW.toSeconds(),
                    OTHER_WRITER_WINDOW.toSeconds());
            return;
        }
        cpuCapKHz = watch.cpuCapKHz();
        gpuCapHz = watch.gpuCapHz();
        LOG.info("re-asserting within the caps it left: CPU <= {} kHz, GPU <= {} Hz", cpuCapKHz, gpuCapHz);
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

    /** The highest available clocks at or below the caps another writer left (the point itself when under them). */
    private OperatingPoint withinCaps(OperatingPoint p) {
        long cpu = atOrBelow(board.cpuPolicies().get(0).frequenciesKHz(), Math.min(p.cpuKHz(), cpuCapKHz), p.cpuKHz());
        long gpu = atOrBelow(board.gpu().orElseThrow().frequenciesHz(), Math.min(p.gpuHz(), gpuCapHz), p.gpuHz());
        return cpu == p.cpuKHz() && gpu == p.gpuHz() ? p : new OperatingPoint(cpu, gpu, p.emcHz());
    }

    /** An empty table keeps the point's value, so that pinning it says in words that the table is missing. */
    private static long atOrBelow(List<Long> table, long cap, long otherwise) {
        return table.isEmpty() ? otherwise : FrequencyTable.atOrBelow(table, cap);
    }
}
