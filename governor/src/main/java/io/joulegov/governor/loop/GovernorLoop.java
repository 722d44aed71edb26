package io.joulegov.governor.loop;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Threads;
import io.joulegov.device.clock.Wakeup;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.governor.core.EnergyIntervals;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.online.OnlineController;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one governing loop: a single thread, on the injected {@link Clock} (so virtual time drives it as well), owns
 * the {@link GovernorCore}, the board's energy in intervals, the watch for other writers and the saving of what was
 * learned. Every other thread only queues typed commands ({@link #register}, {@link #begin}, {@link #report},
 * {@link #unregister}, {@link #status}, {@link #learned}, {@link #energy}, {@link #close}) and, where it needs one,
 * waits for the reply. The daemon (its socket and in-process transport), compare's adaptive mode, the demo and the
 * soak all run it. Its life: {@link #start}, commands, {@link #close} (every knob back, then the last saves).
 */
public final class GovernorLoop implements AutoCloseable {

    /**
     * How often the controller's decision is applied while nothing else asks: only idle entry needs it (reports and
     * begins apply at once), so it is slow enough to cost an idle daemon next to nothing.
     */
    public static final Duration TICK = Duration.ofMillis(200);

    /** The knobs are checked for other writers every this many ticks (a second). */
    static final int WATCH_EVERY_TICKS = 5;

    /** What was learned is handed to the saver at most this often (and on unregister and stop). */
    public static final Duration SAVE_EVERY = Duration.ofMinutes(1);

    /** Most models registered at once: an unprivileged client cannot fill memory. */
    public static final int MAX_MODELS = 64;

    /**
     * Most commands waiting for the loop (a report holds up to 2,048 latencies): past it a command is refused at once,
     * so that clients that send faster than the loop takes cannot fill memory.
     */
    static final int MAX_QUEUED = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(GovernorLoop.class);

    /**
     * Where learned profiles go. It is called on the loop's thread with a table in memory and must hand the write to
     * a thread of its own: the loop does no disk I/O.
     */
    @FunctionalInterface
    public interface Saver {
        void save(String model, ProfileTable learned);

        /** What was learned of a mix of models run together (nothing by default). */
        default void saveMix(LearnedMix learned) {
        }

        Saver NONE = (model, learned) -> { };
    }

    /** The models registered, the point held (null when none), what the core keeps and the mix in force (or null). */
    public record Status(List<String> models, OperatingPoint held, GovernorCore.State state, OnlineController.MixStatus mix) {
    }

    /** The models registered, the point held (null when none) and the mix in force (or null), as last published. */
    public record Published(List<String> models, OperatingPoint held, OnlineController.MixStatus mix) {
    }

    private final GovernorCore core;
    private final Clock clock;
    private final PowerSampler sampler;
    private final Saver saver;
    private final Queue<Command> queue = new ConcurrentLinkedQueue<>();
    /** Commands queued and not yet taken: beyond {@link #MAX_QUEUED} the loop is too far behind to take more. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Whether the loop was woken since it last began to drain the queue (a wake per round, not per command). */
    private final AtomicBoolean woken = new AtomicBoolean();
    private final Wakeup wakeup;
    private final Thread thread;
    /** What the loop last published, for threads that must not wait for it (meters, socket status requests). */
    private volatile Published published = new Published(List.of(), null, null);
    private volatile boolean stopping;
    private long learnedWhenSaved;
    private long mixLearningWhenSaved;
    /** The mix in force as of the last tick (null: none). */
    private OnlineController.MixStatus mixAtTick;

    private GovernorLoop(GovernorCore core, Clock clock, PowerSampler sampler, Saver saver) {
        this.core = core;
        this.clock = clock;
        this.sampler = sampler;
        this.saver = saver;
        this.wakeup = clock.newWakeup();
        this.thread = clock.newThread("joulegov-governor", this::run);
    }

    /**
     * Starts the loop's thread, which from now on alone calls {@code core}; {@code sampler} (null for none) gives the
     * board's energy, {@code saver} takes what was learned.
     */
    public static GovernorLoop start(GovernorCore core, Clock clock, PowerSampler sampler, Saver saver) {
        GovernorLoop loop = new GovernorLoop(core, clock, sampler, saver);
        loop.thread.start();
        return loop;
    }

    /**
     * Registers (or re-registers) a model with its profile and budget, or with none ({@code profile} null) to learn
     * one under {@code toLearn}; answers with the point held for it.
     */
    public CompletableFuture<OperatingPoint> register(String model, ProfileTable profile, ProfileKey toLearn, Budget budget,
                                                      Percentile percentile) {
        return submit(new Command.Register(model, profile, toLearn, budget, percentile, new CompletableFuture<>()));
    }

    public CompletableFuture<Void> begin(String model) {
        return submit(new Command.Begin(model, new CompletableFuture<>()));
    }

    /**
     * Finished inferences (ms) and how long before now each ended (empty: back to back, the last ending now); answers
     * how soon the model's next report is wanted (zero: at the reporter's own pace).
     */
    public CompletableFuture<Duration> report(String model, List<Double> latenciesMs, List<Double> endedMsAgo) {
        return submit(new Command.Report(model, latenciesMs, endedMsAgo, clock.nanoTime(), new CompletableFuture<>()));
    }

    /** Answers with what was learned of the model (null when nothing was), for the caller to save. */
    public CompletableFuture<ProfileTable> unregister(String model) {
        return submit(new Command.Unregister(model, new CompletableFuture<>()));
    }

    public CompletableFuture<Status> status() {
        return submit(new Command.Status(new CompletableFuture<>()));
    }

    /** The model's profile with what was learned on this board in place of the rows it corrects (null: none). */
    public CompletableFuture<ProfileTable> learned(String model) {
        return submit(new Command.Learned(model, new CompletableFuture<>()));
    }

    public CompletableFuture<GovernorCore.Learning> energy() {
        return submit(new Command.Energy(new CompletableFuture<>()));
    }

    /** The point held now (null when none): a snapshot the loop publishes, for meters. */
    public OperatingPoint held() {
        return published.held();
    }

    /**
     * The status as the loop last published it (after each round of commands and each tick): what a status request
     * on the socket answers without queueing, so that a client asking it in a flood costs the loop nothing.
     */
    public Published lastStatus() {
        return published;
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> submit(Command c) {
        if (stopping) {
            c.reply().completeExceptionally(new IllegalStateException("the governor has stopped"));
        } else if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            c.reply().completeExceptionally(new IllegalStateException("the governor is " + MAX_QUEUED
                    + " commands behind; try again"));
        } else {
            queue.add(c);
            if (woken.compareAndSet(false, true)) {
                wakeup.wake(); // else the loop was woken since it began to drain, and will see this one
            }
            if (stopping) {
                failPending(); // it stopped in between: nothing will take the command
            }
        }
        return (CompletableFuture<T>) c.reply();
    }

    private void run() {
        long now = clock.nanoTime();
        EnergyIntervals energy = sampler == null ? null : new EnergyIntervals(sampler, core, now);
        long nextTick = now + TICK.toNanos();
        long nextSave = now + SAVE_EVERY.toNanos();
        try {
            for (long tick = 1; !stopping; ) {
                wakeup.sleepUntil(nextTick);
                woken.set(false);
                for (Command c; (c = queue.poll()) != null; ) {
                    queued.decrementAndGet();
                    carryOut(c);
                }
                now = clock.nanoTime();
                if (now >= nextTick) {
                    if (tick++ % WATCH_EVERY_TICKS == 0) {
                        core.limits(now);
                    }
                    if (energy != null) {
                        energy.poll(now);
                    }
                    if (now >= nextSave) {
                        saveLearned(now);
                        nextSave = now + SAVE_EVERY.toNanos();
                    }
                    core.tick(now);
                    mixAtTick = core.mix(now); // once a tick, not for every command: it sums the members' recent ends
                    nextTick = now + TICK.toNanos();
                }
                publish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("the governor's loop failed; giving every clock back", e);
        } finally {
            stopping = true;
            try {
                core.release(); // the knobs back first: a slow disk must not keep them pinned
            } catch (RuntimeException e) {
                LOG.error("giving the clocks back failed ({}); 'joulegov restore' gives back what is left", e.getMessage());
            }
            mixAtTick = null;
            publish();
            failPending();
            for (String model : core.models()) {
                save(model, clock.nanoTime());
            }
            saveMixes(clock.nanoTime());
        }
    }

    @SuppressWarnings("unchecked")
    private void carryOut(Command command) {
        long now = clock.nanoTime();
        Object answer = null;
        try {
            if (command instanceof Command.Register r) {
                if (!core.models().contains(r.model()) && core.models().size() >= MAX_MODELS) {
                    throw new IllegalArgumentException("at most " + MAX_MODELS + " models are registered at once");
                }
                answer = r.profile() == null
                        ? core.registerUnprofiled(r.model(), r.toLearn(), r.budget(), r.percentile(), now)
                        : core.register(r.model(), r.profile(), r.budget(), r.percentile(), now);
            } else if (command instanceof Command.Begin b) {
                core.begin(b.model(), now);
            } else if (command instanceof Command.Report r) {
                answer = core.report(r.model(), r.latenciesMs(), endedAgo(r, now), now);
            } else if (command instanceof Command.Unregister u) {
                answer = withLearnedRows(u.model(), now);
                core.unregister(u.model());
            } else if (command instanceof Command.Status) {
                answer = new Status(core.models(), core.held(), core.state(), core.mix(clock.nanoTime()));
            } else if (command instanceof Command.Learned l) {
                answer = core.learnedProfile(l.model(), now);
            } else if (command instanceof Command.Energy) {
                answer = core.learning();
            }
        } catch (RuntimeException e) {
            command.reply().completeExceptionally(e);
            return;
        } finally {
            publish(); // before the answer: its caller may read held() or ask the status at once
        }
        ((CompletableFuture<Object>) command.reply()).complete(answer);
    }

    private void publish() {
        // not the core's state nor the mix's afresh: this runs for every command
        published = new Published(core.models(), core.held(), mixAtTick);
    }

    /**
     * How long before {@code now} each reported inference ended: a report waits in the queue for a moment, and each of
     * its inferences is credited to the energy of the time it ran.
     */
    static List<Double> endedAgo(Command.Report r, long now) {
        double waitedMs = Math.max(0, now - r.arrivedAt()) / 1e6;
        if (waitedMs == 0) {
            return r.endedMsAgo();
        }
        int n = r.latenciesMs().size();
        double[] ago = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            ago[i] = !r.endedMsAgo().isEmpty() ? r.endedMsAgo().get(i) + waitedMs
                    : i == n - 1 ? waitedMs : ago[i + 1] + r.latenciesMs().get(i + 1);
        }
        return Arrays.stream(ago).boxed().toList();
    }

    /** Hands what was learned since the last save to the saver. */
    private void saveLearned(long now) {
        long learned = core.learning().intervalsLearned();
        if (learned != learnedWhenSaved) {
            learnedWhenSaved = learned;
            for (String model : core.models()) {
                save(model, now);
            }
        }
        long mixes = core.mixLearning();
        if (mixes != mixLearningWhenSaved) {
            mixLearningWhenSaved = mixes;
            saveMixes(now);
        }
    }

    private void saveMixes(long now) {
        for (LearnedMix mix : core.learnedMixes(now)) {
            try {
                saver.saveMix(mix);
            } catch (RuntimeException e) {
                LOG.warn("cannot save what was learned of the mix {}: {}", mix.members(), e.getMessage());
            }
        }
    }

    private void save(String model, long now) {
        ProfileTable learned = withLearnedRows(model, now);
        if (learned != null) {
            try {
                saver.save(model, learned);
            } catch (RuntimeException e) {
                LOG.warn("cannot save what was learned of {}: {}", model, e.getMessage());
            }
        }
    }

    /** The model's learned profile when it holds any learned row, else null. */
    private ProfileTable withLearnedRows(String model, long now) {
        ProfileTable learned = core.learnedProfile(model, now);
        return learned == null || learned.rows().stream().noneMatch(m -> m.source() == Measurement.Source.LEARNED)
                ? null : learned;
    }

    private void failPending() {
        List<Command> left = new ArrayList<>();
        for (Command c; (c = queue.poll()) != null; ) {
            queued.decrementAndGet();
            left.add(c);
        }
        left.forEach(c -> c.reply().completeExceptionally(new IllegalStateException("the governor has stopped")));
    }

    /**
     * Stops the loop: the core gives every knob back, commands still queued are refused, and what was learned goes to
     * the saver. Waits up to two seconds for the loop's thread; should it not end, the knobs are given back from here.
     */
    @Override
    public void close() {
        stopping = true;
        wakeup.wake();
        try {
            clock.join(thread, Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the governor's loop did not stop within 2 s; giving every clock back from here");
            Threads.stop(thread, Duration.ofSeconds(1));
            core.release();
        }
        failPending();
    }
}
