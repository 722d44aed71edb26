package io.joulegov.governor.daemon;

import io.joulegov.device.DeviceException;
import io.joulegov.device.RefusedException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.BoardOwner;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.governor.metrics.GovernorMetrics;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlReply;
import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.governor.socket.ControlServer;
import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.online.OnlineController;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.store.MixStore;
import io.joulegov.profiler.store.ProfileStore;
import io.micrometer.core.instrument.MeterRegistry;

import io.joulegov.governor.loop.GovernorLoop;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * The daemon around the {@link GovernorLoop}: it finds the board (waiting for a late GPU node), starts power sampling,
 * the meters and the loop, serves the control socket, and looks up each registered model's profile and writes what
 * was learned on a thread of its own (the store's), so that neither the socket's thread nor the loop's touches the
 * disk. {@link #close()} stops all of it; the loop gives every knob back (the journal makes {@code joulegov restore}
 * do the same after a crash).
 */
public final class GovernDaemon implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GovernDaemon.class);

    /** Most models registered over one connection: an unprivileged client cannot fill memory. */
    static final int MAX_MODELS_PER_CONNECTION = 16;

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
    /** Profile lookups and writes: one thread, so that neither the socket nor the loop waits for the disk. */
    private final ExecutorService store = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "joulegov-store");
        t.setDaemon(true);
        return t;
    });
    private PowerSampler sampler;
    private volatile GovernorMetrics metrics;
    private volatile GovernorLoop loop;
    private ControlServer server;
    private boolean closed;
    /** The file each registered model's profile came from: what is learned is written back there. */
    private final Map<String, Path> profileFiles = new ConcurrentHashMap<>();
    /** What was learned of mixes of models run together, filed beside the profiles. */
    private final MixStore mixes;
    /** Learned mixes waiting for the store's thread, the newest per mix. */
    private final Map<List<String>, LearnedMix> waitingMixWrites = new ConcurrentHashMap<>();
    /** Learned tables waiting for the store's thread, the newest per file. */
    private final Map<Path, ProfileTable> waitingWrites = new ConcurrentHashMap<>();
    /** Each connection's last request: the next one acts once it is done, so requests act in the order sent. */
    private final Map<Long, CompletableFuture<?>> lastRequest = new ConcurrentHashMap<>();
    /** The models each open connection registered, for its bound. */
    private final Map<Long, Set<String>> byConnection = new HashMap<>();

    private GovernDaemon(Board board, Options options, Clock clock) {
        this.board = board;
        this.options = options;
        this.clock = clock;
        this.metrics = new GovernorMetrics(board, null, this::held); // unbound until the loop starts
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

                    @Override
                    public void emcLeftToKernel(String model) {
                        LOG.info("{}: its profile has no EMC axis, so the kernel keeps the memory clock while it runs "
                                + "(profile it with --emc to govern the EMC too)", model);
                    }
                });
        this.mixes = new MixStore(options.store().dir());
        var id = board.identity();
        MixStore.Loaded known = mixes.load(id.kind(), id.l4t(), id.powerMode());
        known.skipped().forEach(why -> LOG.warn("{}; learning that mix afresh", why));
        core.rememberMixes(known.mixes());
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
     * Starts power sampling (where the board has rails), binds the meters, starts the governor's loop and serves the
     * control socket at {@code socket} (null for none).
     */
    public GovernDaemon start(Path socket) throws IOException {
        return start(socket, null);
    }

    /** As {@link #start(Path)}, with the control socket in {@code socketGroup} (null: the daemon's own group). */
    public GovernDaemon start(Path socket, String socketGroup) throws IOException {
        GovernorLoop running = loop();
        if (socket != null) {
            server = ControlServer.start(socket, new ControlServer.Handler() {
                @Override
                public CompletionStage<String> handle(ControlRequest request, ControlServer.Peer peer) {
                    return GovernDaemon.this.handle(running, request, peer);
                }

                @Override
                public void disconnected(ControlServer.Peer peer) {
                    GovernDaemon.this.disconnected(peer);
                }
            }, Duration.ofSeconds(5), socketGroup);
        }
        return this;
    }

    /** The loop, started with the sampler and the meters the first time it is needed (a model may register first). */
    private synchronized GovernorLoop loop() {
        if (closed) {
            throw new IllegalStateException("the governor has stopped");
        }
        if (loop == null) {
            if (options.samplePeriod() != null && !board.rails().isEmpty()) {
                sampler = new PowerSampler(board.rails(), clock, options.samplePeriod()).start();
            }
            metrics = new GovernorMetrics(board, sampler, this::held, this::mix);
            if (options.registry() != null) {
                metrics.bindTo(options.registry());
            }
            loop = GovernorLoop.start(core, clock, sampler, new GovernorLoop.Saver() {
                @Override
                public void save(String model, ProfileTable learned) {
                    GovernDaemon.this.save(model, learned);
                }

                @Override
                public void saveMix(LearnedMix learned) {
                    GovernDaemon.this.saveMix(learned);
                }
            });
        }
        return loop;
    }

    /**
     * Registers a model with its budget and waits until its starting point is held. A model with no profile on this
     * board is learned from the fastest point, and what is learned is written to the models-cache as its profile.
     */
    public OperatingPoint register(String model, String hash, int batch, Budget budget, Percentile q) {
        return await(register(loop(), model, hash, batch, budget, q));
    }

    /** Looks the profile up on the store's thread, then has the loop register the model. */
    private CompletableFuture<OperatingPoint> register(GovernorLoop running, String model, String hash, int batch,
                                                       Budget budget, Percentile q) {
        return CompletableFuture.supplyAsync(() -> findProfile(model, hash, batch), store).thenCompose(found -> {
            if (found == null) {
                ProfileKey key = GovernorCore.keyToLearn(board, model, hash, batch,
                        options.virtualBoard() ? ProfileKey.VIRTUAL : ProfileKey.MEASURED, true);
                return running.register(model, null, key, budget, q).thenApply(p -> {
                    profileFiles.put(model, options.store().pathFor(key)); // only once the loop took it
                    LOG.info("registered {} with no profile on this {}: it will be learned, starting at the fastest point {}",
                            model, board.identity().kind(), p);
                    return p;
                });
            }
            return running.register(model, found.table(), null, budget, q).thenApply(p -> {
                profileFiles.put(model, found.file());
                String hash8 = found.table().key().modelHash().replaceFirst("^sha256:", "");
                LOG.info("registered {} (profile {}): holding {}", model, hash8.isEmpty() ? "learned on a board, unhashed"
                        : hash8.substring(0, Math.min(8, hash8.length())), p);
                return p;
            });
        });
    }

    /** The mix of models governed as one now (null when none), as the loop last published it. */
    OnlineController.MixStatus mix() {
        GovernorLoop l = loop;
        return l == null ? null : l.lastStatus().mix();
    }

    /** The point held now (null before the first registration). */
    public OperatingPoint held() {
        GovernorLoop l = loop;
        return l == null ? null : l.held();
    }

    public void begin(String model) {
        await(loop().begin(model));
    }

    /** Answers how soon the model's next report is wanted (zero: at the reporter's own pace). */
    public Duration report(String model, List<Double> latenciesMs, List<Double> endedMsAgo) {
        return await(loop().report(model, latenciesMs, endedMsAgo));
    }

    public void unregister(String model) {
        await(unregister(loop(), model));
    }

    /** The loop forgets the model; the answer comes once what it learned is written (on the store's thread). */
    private CompletableFuture<Void> unregister(GovernorLoop running, String model) {
        return running.unregister(model).thenCompose(learned -> {
            Path file = profileFiles.get(model);
            metrics.unregistered(model);
            if (file == null) {
                return CompletableFuture.completedFuture(null);
            }
            profileFiles.remove(model, file);
            return learned == null ? CompletableFuture.completedFuture(null)
                    : CompletableFuture.runAsync(() -> write(model, learned, file), store);
        });
    }

    /**
     * What the loop found was learned goes to the file the model's profile came from, on the store's thread. Only the
     * newest table of a file waits there: a slow disk holds one table per model, not one per minute.
     */
    private void save(String model, ProfileTable learned) {
        Path file = profileFiles.get(model);
        if (file != null && waitingWrites.put(file, learned) == null) {
            store.execute(() -> {
                ProfileTable newest = waitingWrites.remove(file);
                if (newest != null) {
                    write(model, newest, file);
                }
            });
        }
    }

    /**
     * What was learned of a mix goes to its file in the models-cache, on the store's thread; only the newest of a mix
     * waits there.
     */
    private void saveMix(LearnedMix learned) {
        var id = board.identity();
        if (waitingMixWrites.put(learned.members(), learned) == null) {
            store.execute(() -> {
                LearnedMix newest = waitingMixWrites.remove(learned.members());
                try {
                    if (newest != null) {
                        mixes.save(id.kind(), id.l4t(), id.powerMode(), newest);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("cannot write what was learned of the mix {}: {}", learned.members(), e.getMessage());
                }
            });
        }
    }

    /** Waits for the loop's answer; its failure is thrown as it was raised. */
    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Writes {@code model}'s profile with its learned rows back to the file it came from, atomically, so that the
     * next start begins from them; a failed write is logged and governing goes on.
     */
    private static void write(String model, ProfileTable learned, Path file) {
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

    /**
     * Answers a request through the loop (and the store's thread for a profile); the socket's thread never waits. A
     * connection's requests act in the order it sent them: each starts once the one before it is done.
     */
    private CompletionStage<String> handle(GovernorLoop running, ControlRequest request, ControlServer.Peer peer) {
        CompletableFuture<ControlReply> reply;
        try {
            if (request instanceof ControlRequest.Register r) {
                admit(r.model(), peer); // here, on the socket's thread: pipelined registrations count at once
            }
            CompletableFuture<?> before = lastRequest.getOrDefault(peer.connection(), CompletableFuture.completedFuture(null));
            reply = before.handle((x, e) -> null).thenCompose(v -> act(running, request, peer));
            lastRequest.put(peer.connection(), reply);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((r, e) -> e == null ? ControlProtocol.reply(r) : ControlProtocol.error(message(e)));
    }

    private CompletableFuture<ControlReply> act(GovernorLoop running, ControlRequest request, ControlServer.Peer peer) {
        try {
            if (request instanceof ControlRequest.Register r) {
                Budget budget = Budget.of(r.budgetMs(), r.slowdown());
                return register(running, r.model(), r.hash(), r.batch(), budget, Percentile.parse(r.percentile()))
                        .handle((p, e) -> {
                            if (e != null) {
                                refused(r.model(), peer);
                                throw e instanceof CompletionException c ? c : new CompletionException(e);
                            }
                            LOG.info("{} registered by user {}", r.model(), peer.user());
                            return new ControlReply.Held(p.cpuKHz(), p.gpuHz(), p.emcHz());
                        });
            }
            if (request instanceof ControlRequest.Begin b) {
                return running.begin(b.model()).thenApply(v -> new ControlReply.Done());
            }
            if (request instanceof ControlRequest.Report r) {
                return running.report(r.model(), r.latenciesMs(), r.endedMsAgo()).thenApply(ControlReply.Reported::of);
            }
            if (request instanceof ControlRequest.Unregister u) {
                return unregister(running, u.model()).thenApply(v -> new ControlReply.Done());
            }
            GovernorLoop.Published s = running.lastStatus();
            return CompletableFuture.completedFuture(new ControlReply.Status(board.identity().kind(), List.copyOf(s.models()),
                    s.held() == null ? null : new ControlReply.Point(s.held().cpuKHz(), s.held().gpuHz(), s.held().emcHz())));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static String message(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /**
     * Refuses a new model beyond {@link #MAX_MODELS_PER_CONNECTION} on a connection (the loop bounds them in all), and
     * counts it for the connection at once, so that pipelined registrations cannot pass the bound together.
     */
    private void admit(String model, ControlServer.Peer peer) {
        synchronized (byConnection) {
            Set<String> mine = byConnection.computeIfAbsent(peer.connection(), c -> new HashSet<>()); // gone on disconnect
            if (!mine.contains(model) && mine.size() >= MAX_MODELS_PER_CONNECTION) {
                throw new IllegalArgumentException("at most " + MAX_MODELS_PER_CONNECTION + " models per connection");
            }
            mine.add(model);
        }
    }

    /** A registration the loop refused no longer counts for its connection. */
    private void refused(String model, ControlServer.Peer peer) {
        synchronized (byConnection) {
            Set<String> mine = byConnection.get(peer.connection());
            if (mine != null) {
                mine.remove(model);
            }
        }
    }

    private void disconnected(ControlServer.Peer peer) {
        lastRequest.remove(peer.connection());
        synchronized (byConnection) {
            byConnection.remove(peer.connection());
        }
    }

    /** Stops serving, gives every knob back, then writes what was learned. */
    @Override
    public void close() {
        GovernorLoop running;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = loop;
        }
        if (server != null) {
            server.close();
        }
        if (running != null) {
            running.close(); // every knob back, then the last saves handed to the store
        } else {
            core.release();
        }
        if (sampler != null) {
            sampler.close();
        }
        store.shutdown();
        try {
            if (!store.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("what was learned is still being written after 30 s; stopping without it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        owner.close();
        LOG.info("stopped; every clock setting is back as it was");
    }
}
