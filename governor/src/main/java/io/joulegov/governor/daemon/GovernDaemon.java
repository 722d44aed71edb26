package io.joulegov.governor.daemon;

import io.joulegov.device.DeviceException;
import io.joulegov.device.RefusedException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Threads;
import io.joulegov.device.knobs.BoardOwner;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.core.EnergyIntervals;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.governor.metrics.GovernorMetrics;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlReply;
import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.governor.socket.ControlServer;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.store.ProfileStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon around the {@link GovernorCore}: it finds the board (waiting for a late GPU node), looks up each
 * registered model's profile, and gives the core real time: a control tick, a watch for other writers, requests from
 * the control socket, power sampling and metrics. {@link #close()} stops all of it and releases the core, which gives
 * every knob back (the journal makes {@code joulegov restore} do the same after a crash).
 */
public final class GovernDaemon implements AutoCloseable {

    /**
     * How often the controller's decision is applied while nothing else asks: only idle entry needs it (reports and
     * begins apply at once), so it is slow enough to cost an idle daemon next to nothing.
     */
    public static final Duration TICK = Duration.ofMillis(200);

    private static final Logger LOG = LoggerFactory.getLogger(GovernDaemon.class);

    /** Most models registered at once, and over one connection: an unprivileged client cannot fill memory. */
    static final int MAX_MODELS = 64;
    static final int MAX_MODELS_PER_CONNECTION = 16;

    /** How often the knobs are checked for other writers. */
    private static final int WATCH_EVERY_TICKS = 5;

    /** What was learned is written to the models-cache at most this often (and on stop). */
    public static final Duration SAVE_EVERY = Duration.ofMinutes(1);

    /** How long the daemon waits for a GPU devfreq node that is not there yet (it appears late on JetPack 5+). */
    static final Duration GPU_WAIT = Duration.ofSeconds(30);

    /**
     * What the daemon is allowed to use: the restore journal, the models-cache, whether virtual profiles may be used,
     * the power sampling period (null for none), where its meters go (null for nowhere), and whether the board is a
     * virtual one (the profiles it learns are then marked virtual).
     */
    public record Options(Path stateFile, ProfileStore store, boolean allowVirtualProfiles, Duration samplePeriod,
                          MeterRegistry registry, boolean virtualBoard) {

        /** 100 ms power sampling, no meter registry, a real board. */
        public static Options of(Path stateFile, ProfileStore store, boolean allowVirtualProfiles) {
            return new Options(stateFile, store, allowVirtualProfiles, PowerSampler.DEFAULT_PERIOD, null, false);
        }
    }

    private final Board board;
    private final Options options;
    private final Clock clock;
    private final GovernorCore core;
    private final BoardOwner owner;
    private PowerSampler sampler;
    private volatile GovernorMetrics metrics;
    private ControlServer server;
    private Thread ticker;
    private volatile boolean running = true;
    /** The file each registered model's profile came from: what is learned is written back there. */
    private final Map<String, Path> profileFiles = new java.util.concurrent.ConcurrentHashMap<>();
    private long learnedWhenSaved;
    /** The models each open connection registered, for its bound. */
    private final Map<Long, Set<String>> byConnection = new HashMap<>();

    private GovernDaemon(Board board, Options options, Clock clock) {
        this.board = board;
        this.options = options;
        this.clock = clock;
        this.metrics = new GovernorMetrics(board, null, this::held); // unbound until start(): models may register first
        this.owner = BoardOwner.acquire(board.root()); // before anything is written: one owner per board
        this.core = new GovernorCore(board, new ClockPinner(board, RestoreJournal.open(board.root(), options.stateFile())),
                new GovernorCore.Events() {
                    @Override
                    public void inference(String model, double ms, double budgetMs) {
                        metrics.inference(model, ms, budgetMs);
                    }

                    @Override
                    public void held(OperatingPoint point, String why, boolean first) {
                        LOG.info("holding {} ({})", point, why);
                        if (!first) {
                            metrics.switched();
                        }
                    }

                    @Override
                    public void otherWriter() {
                        metrics.otherWriter();
                    }

                    @Override
                    public void infeasible(String model, double budgetMs) {
                        metrics.infeasible(model);
                    }
                });
    }

    /**
     * Discovers the board under {@code root}, waiting up to {@link #GPU_WAIT} for the GPU devfreq node; nothing is
     * written until the first model is registered.
     */
    public static GovernDaemon open(SysRoot root, Options options, Clock clock) {
        long deadline = clock.nanoTime() + GPU_WAIT.toNanos();
        Board board = BoardDiscovery.discover(root);
        if (board.cpuPolicies().isEmpty()) {
            throw new DeviceException(root + " has no cpufreq policy: nothing to govern");
        }
        if (board.gpu().isEmpty()) {
            LOG.info("no GPU devfreq node yet: waiting up to {} s for it (it appears late on JetPack 5 and later)",
                    GPU_WAIT.toSeconds());
        }
        while (board.gpu().isEmpty()) {
            if (clock.nanoTime() >= deadline) {
                throw new DeviceException(root + " has no GPU devfreq node after " + GPU_WAIT.toSeconds() + " s: nothing to govern");
            }
            try {
                clock.sleep(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeviceException("interrupted while waiting for the GPU devfreq node");
            }
            board = BoardDiscovery.discover(root);
        }
        return new GovernDaemon(board, options, clock);
    }

    /**
     * Starts power sampling (where the board has rails), binds the meters, serves the control socket at
     * {@code socket} (null for none) and starts the control tick.
     */
    public GovernDaemon start(Path socket) throws IOException {
        return start(socket, null);
    }

    /** As {@link #start(Path)}, with the control socket in {@code socketGroup} (null: the daemon's own group). */
    public GovernDaemon start(Path socket, String socketGroup) throws IOException {
        if (options.samplePeriod() != null && !board.rails().isEmpty()) {
            sampler = new PowerSampler(board.rails(), clock, options.samplePeriod()).start();
        }
        metrics = new GovernorMetrics(board, sampler, this::held);
        if (options.registry() != null) {
            metrics.bindTo(options.registry());
        }
        if (socket != null) {
            server = ControlServer.start(socket, new ControlServer.Handler() {
                @Override
                public CompletionStage<String> handle(ControlRequest request, ControlServer.Peer peer) {
                    return CompletableFuture.completedFuture(GovernDaemon.this.handle(request, peer));
                }

                @Override
                public void disconnected(ControlServer.Peer peer) {
                    GovernDaemon.this.disconnected(peer);
                }
            }, Duration.ofSeconds(5), socketGroup);
        }
        ticker = clock.newThread("joulegov-governor", () -> {
            EnergyIntervals energy = sampler == null ? null : new EnergyIntervals(sampler, core, clock.nanoTime());
            long nextSave = clock.nanoTime() + SAVE_EVERY.toNanos();
            try {
                for (long tick = 1; running; tick++) {
                    clock.sleep(TICK);
                    if (tick % WATCH_EVERY_TICKS == 0) {
                        core.limits(clock.nanoTime());
                    }
                    if (energy != null) {
                        energy.poll(clock.nanoTime());
                    }
                    if (clock.nanoTime() >= nextSave) {
                        saveLearned();
                        nextSave = clock.nanoTime() + SAVE_EVERY.toNanos();
                    }
                    core.tick(clock.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ticker.start();
        return this;
    }

    /**
     * Registers a model with its budget; pins its starting point. A model with no profile on this board is learned
     * from the fastest point, and what is learned is written to the models-cache as its profile.
     */
    public OperatingPoint register(String model, String hash, int batch, Budget budget, Percentile q) {
        ProfileStore.Found found = findProfile(model, hash, batch);
        if (found == null) {
            ProfileKey key = GovernorCore.keyToLearn(board, model, hash, batch,
                    options.virtualBoard() ? ProfileKey.VIRTUAL : ProfileKey.MEASURED);
            OperatingPoint p = core.registerUnprofiled(model, key, budget, q, clock.nanoTime());
            profileFiles.put(model, options.store().pathFor(key));
            LOG.info("registered {} with no profile on this {}: it will be learned, starting at the fastest point {}",
                    model, board.identity().kind(), core.held());
            return p;
        }
        ProfileTable profile = found.table();
        OperatingPoint p = core.register(model, profile, budget, q, clock.nanoTime());
        profileFiles.put(model, found.file());
        String hash8 = profile.key().modelHash().replaceFirst("^sha256:", "");
        LOG.info("registered {} (profile {}): holding {}", model, hash8.isEmpty() ? "learned on a board, unhashed"
                : hash8.substring(0, Math.min(8, hash8.length())), core.held());
        return p;
    }

    /** The point held now (null before the first registration). */
    public OperatingPoint held() {
        return core.held();
    }

    public void begin(String model) {
        core.begin(model, clock.nanoTime());
    }

    public void report(String model, List<Double> latenciesMs, List<Double> endedMsAgo) {
        core.report(model, latenciesMs, endedMsAgo, clock.nanoTime());
    }

    public void unregister(String model) {
        save(model);
        profileFiles.remove(model);
        core.unregister(model);
        metrics.unregistered(model);
    }

    /** Writes what was learned since the last save into the profiles it corrects. */
    private void saveLearned() {
        long learned = core.learning().intervalsLearned();
        if (learned != learnedWhenSaved) {
            learnedWhenSaved = learned;
            profileFiles.keySet().forEach(this::save);
        }
    }

    /**
     * Writes {@code model}'s profile with its learned rows back to the file it came from, atomically, so that the
     * next start begins from them; a failed write is logged and governing goes on.
     */
    private void save(String model) {
        Path file = profileFiles.get(model);
        ProfileTable learned = file == null ? null : core.learnedProfile(model, clock.nanoTime());
        if (learned == null || learned.rows().stream().noneMatch(m -> m.source() == Measurement.Source.LEARNED)) {
            return;
        }
        try {
            ProfileStore.write(learned, file);
        } catch (RuntimeException e) {
            LOG.warn("cannot write what was learned of {} to {}: {}", model, file, e.getMessage());
        }
    }

    /**
     * The profile for a model on this board: the newest of its name, batch and hash (any hash when none is given)
     * in the store, null when there is none; a latency-only one, or a virtual one unless allowed, is refused.
     */
    private ProfileStore.Found findProfile(String model, String hash, int batch) {
        ProfileStore.Found found = options.store().find(board.identity().kind(), model, batch, hash).orElse(null);
        if (found == null) {
            return null;
        }
        ProfileTable table = ProfileStore.requireEnergy(found.table(), found.file());
        if (ProfileKey.VIRTUAL.equals(table.key().source()) && !options.allowVirtualProfiles()) {
            throw new RefusedException("the profile for " + model + " was made on a virtual board; "
                    + "use it only with --allow-virtual-profiles");
        }
        return new ProfileStore.Found(found.file(), table);
    }

    private String handle(ControlRequest request, ControlServer.Peer peer) {
        try {
            if (request instanceof ControlRequest.Register r) {
                admit(r.model(), peer);
                Budget budget = Budget.of(r.budgetMs(), r.slowdown());
                OperatingPoint p = register(r.model(), r.hash(), r.batch(), budget, Percentile.parse(r.percentile()));
                admitted(r.model(), peer);
                LOG.info("{} registered by user {}", r.model(), peer.user());
                return ControlProtocol.reply(new ControlReply.Held(p.cpuKHz(), p.gpuHz(), p.emcHz()));
            }
            if (request instanceof ControlRequest.Begin b) {
                begin(b.model());
                return ControlProtocol.reply(new ControlReply.Done());
            }
            if (request instanceof ControlRequest.Report r) {
                report(r.model(), r.latenciesMs(), r.endedMsAgo());
                return ControlProtocol.reply(new ControlReply.Done());
            }
            if (request instanceof ControlRequest.Unregister u) {
                unregister(u.model());
                return ControlProtocol.reply(new ControlReply.Done());
            }
            OperatingPoint held = core.held();
            return ControlProtocol.reply(new ControlReply.Status(board.identity().kind(), List.copyOf(core.models()),
                    held == null ? null : new ControlReply.Point(held.cpuKHz(), held.gpuHz(), held.emcHz())));
        } catch (RuntimeException e) {
            return ControlProtocol.error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Refuses a new model beyond {@link #MAX_MODELS} in all or {@link #MAX_MODELS_PER_CONNECTION} on a connection. */
    private void admit(String model, ControlServer.Peer peer) {
        synchronized (byConnection) {
            Set<String> mine = byConnection.getOrDefault(peer.connection(), Set.of());
            if (!mine.contains(model) && mine.size() >= MAX_MODELS_PER_CONNECTION) {
                throw new IllegalArgumentException("at most " + MAX_MODELS_PER_CONNECTION + " models per connection");
            }
            if (!core.models().contains(model) && core.models().size() >= MAX_MODELS) {
                throw new IllegalArgumentException("at most " + MAX_MODELS + " models are registered at once");
            }
        }
    }

    private void admitted(String model, ControlServer.Peer peer) {
        synchronized (byConnection) {
            byConnection.computeIfAbsent(peer.connection(), c -> new HashSet<>()).add(model);
        }
    }

    private void disconnected(ControlServer.Peer peer) {
        synchronized (byConnection) {
            byConnection.remove(peer.connection());
        }
    }


    /** Stops serving and gives every knob back. */
    @Override
    public void close() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        Threads.stop(ticker, Duration.ofSeconds(2));
        if (server != null) {
            server.close();
        }
        if (sampler != null) {
            sampler.close();
        }
        core.release();
        profileFiles.keySet().forEach(this::save); // after the knobs are back: a slow disk must not keep them pinned
        owner.close();
        LOG.info("stopped; every clock setting is back as it was");
    }
}
