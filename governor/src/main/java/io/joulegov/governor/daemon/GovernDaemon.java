package io.joulegov.governor.daemon;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.FrequencyTable;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.metrics.GovernorMetrics;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.governor.socket.ControlServer;
import io.joulegov.policies.online.ControllerSettings;
import io.joulegov.policies.online.Decision;
import io.joulegov.policies.online.OnlineController;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.store.ProfileStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The governor: takes the board's clocks over from schedutil / nvhost_podgov and holds what the online controller
 * decides for the registered models, as they report latencies over the control socket, and gives every knob back
 * on {@link #close()} (the journal makes {@code joulegov restore} do the same after a crash).
 *
 * <p>Its life, as a kernel governor's: {@link #start} (discover, journal, pin the first decision), requests and a
 * control tick that apply the controller's decisions, {@link #close} (restore).
 */
public final class GovernDaemon implements AutoCloseable {

    /**
     * How often the controller's decision is applied while nothing else asks: only idle entry needs it (reports and
     * begins apply at once), so it is slow enough to cost an idle daemon next to nothing.
     */
    public static final Duration TICK = Duration.ofMillis(200);

    private static final Logger LOG = LoggerFactory.getLogger(GovernDaemon.class);

    /** After a second write by another program within this long, the daemon backs off for as long. */
    static final Duration OTHER_WRITER_WINDOW = Duration.ofSeconds(60);
    /** How often the knobs are checked for other writers. */
    private static final int WATCH_EVERY_TICKS = 5;

    /** How long the daemon waits for a GPU devfreq node that is not there yet (it appears late on JetPack 5+). */
    static final Duration GPU_WAIT = Duration.ofSeconds(30);

    /**
     * What the daemon is allowed to use: the restore journal, the models-cache, whether virtual profiles may be used,
     * the power sampling period (null for none) and where its meters go (null for nowhere).
     */
    public record Options(Path stateFile, ProfileStore store, boolean allowVirtualProfiles, Duration samplePeriod,
                          MeterRegistry registry) {

        /** 100 ms power sampling, no meter registry. */
        public static Options of(Path stateFile, ProfileStore store, boolean allowVirtualProfiles) {
            return new Options(stateFile, store, allowVirtualProfiles, PowerSampler.DEFAULT_PERIOD, null);
        }
    }

    private final Board board;
    private final ClockPinner pinner;
    private final Options options;
    private final Clock clock;
    private final OnlineController controller = new OnlineController(ControllerSettings.defaults());
    private final Map<String, ProfileTable> profiles = new LinkedHashMap<>();
    private final KnobWatch watch;
    private final Deque<Long> otherWrites = new ArrayDeque<>();
    private PowerSampler sampler;
    private GovernorMetrics metrics;
    private ControlServer server;
    private Thread ticker;
    private OperatingPoint held;
    private long cpuCapKHz = Long.MAX_VALUE;
    private long gpuCapHz = Long.MAX_VALUE;
    private long backedOffUntil = Long.MIN_VALUE;
    private volatile boolean running = true;

    private GovernDaemon(Board board, Options options, Clock clock) {
        this.board = board;
        this.options = options;
        this.clock = clock;
        this.pinner = new ClockPinner(board, RestoreJournal.open(board.root(), options.stateFile()));
        this.watch = new KnobWatch(board);
        this.metrics = new GovernorMetrics(board, null, this::held); // unbound until start(): models may register first
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
            server = ControlServer.start(socket, this::handle, Duration.ofSeconds(5), socketGroup);
        }
        ticker = clock.newThread("joulegov-governor", () -> {
            try {
                for (long tick = 1; running; tick++) {
                    clock.sleep(TICK);
                    if (tick % WATCH_EVERY_TICKS == 0) {
                        checkOtherWriters(clock.nanoTime());
                    }
                    apply(clock.nanoTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ticker.start();
        return this;
    }

    /** Registers a model with its budget; pins its starting point. */
    public synchronized OperatingPoint register(String model, String hash, int batch, Budget budget, Percentile q) {
        ProfileTable profile = findProfile(model, hash, batch);
        try {
            controller.register(model, profile, budget, q, clock.nanoTime());
        } catch (IllegalArgumentException infeasible) {
            throw new InfeasibleBudgetException(infeasible.getMessage());
        }
        profiles.put(model, profile);
        controller.begin(model, clock.nanoTime());
        apply(clock.nanoTime());
        LOG.info("registered {} (profile {}): holding {}", model, profile.key().modelHash().substring(0, 8), held);
        return controller.pointOf(model);
    }

    /** The point held now (null before the first registration). */
    public synchronized OperatingPoint held() {
        return held;
    }

    public synchronized void begin(String model) {
        requireRegistered(model);
        controller.begin(model, clock.nanoTime());
        apply(clock.nanoTime());
    }

    public synchronized void report(String model, List<Double> latenciesMs) {
        requireRegistered(model);
        long now = clock.nanoTime();
        double budgetMs = controller.budgetMsOf(model);
        for (double ms : latenciesMs) {
            controller.observe(model, now, ms);
            metrics.inference(model, ms, budgetMs);
        }
        apply(now);
    }

    public synchronized void unregister(String model) {
        controller.unregister(model);
        profiles.remove(model);
    }

    private void requireRegistered(String model) {
        if (!profiles.containsKey(model)) {
            throw new IllegalArgumentException("model " + model + " is not registered");
        }
    }

    /** Pins what the controller decides now (within another writer's caps), when it differs from what is held. */
    private synchronized void apply(long now) {
        if (profiles.isEmpty() || now < backedOffUntil) {
            return;
        }
        Decision d = controller.decide(now);
        OperatingPoint target = withinCaps(d.point());
        if (!target.equals(held)) {
            pinner.pin(target.cpuKHz(), target.gpuHz(), target.emcHz());
            watch.expectNow();
            LOG.info("holding {} ({})", target, d.idle() ? "idle" : d.model());
            if (held != null) {
                metrics.switched();
            }
            held = target;
        }
    }

    /**
     * Another program wrote a knob the daemon holds (nvpmodel, jetson_clocks, a user). The first time, re-read the
     * caps it left and hold the controller's choice within them; a second time within a minute, back off for a
     * minute without writing, so that the two never fight in a loop.
     */
    private synchronized void checkOtherWriters(long now) {
        if (held == null || now < backedOffUntil) {
            return;
        }
        List<String> changes = watch.changes();
        if (changes.isEmpty()) {
            return;
        }
        metrics.otherWriter();
        otherWrites.addLast(now);
        while (now - otherWrites.peekFirst() > OTHER_WRITER_WINDOW.toNanos()) {
            otherWrites.removeFirst();
        }
        LOG.warn("another program changed the clocks joulegov holds: {}", String.join(", ", changes));
        if (otherWrites.size() >= 2) {
            backedOffUntil = now + OTHER_WRITER_WINDOW.toNanos();
            otherWrites.clear();
            watch.forget();
            held = null;
            LOG.warn("it did so twice within {} s: leaving the clocks to it for {} s", OTHER_WRITER_WINDOW.toSeconds(),
                    OTHER_WRITER_WINDOW.toSeconds());
            return;
        }
        cpuCapKHz = watch.cpuCapKHz();
        gpuCapHz = watch.gpuCapHz();
        held = null;
        LOG.info("re-asserting within the caps it left: CPU <= {} kHz, GPU <= {} Hz", cpuCapKHz, gpuCapHz);
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

    /**
     * The profile for a model on this board: by name, batch and hash (any hash when none is given), from the store;
     * one of another board, or a virtual one unless allowed, is refused.
     */
    private ProfileTable findProfile(String model, String hash, int batch) {
        Path dir = options.store().dir().resolve(board.identity().kind());
        List<Path> candidates = new ArrayList<>();
        String digest = hash == null ? "" : hash.replaceFirst("^sha256:", "");
        String prefix = model.toLowerCase() + "-b" + batch + "-" + digest.substring(0, Math.min(8, digest.length()));
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
                for (Path f : files) {
                    if (f.getFileName().toString().startsWith(prefix)) {
                        candidates.add(f);
                    }
                }
            } catch (IOException e) {
                throw new DeviceException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        if (candidates.isEmpty()) {
            throw new DeviceException("no profile for " + model + " (batch " + batch + ") on this "
                    + board.identity().kind() + " in " + options.store().dir() + ": profile it or import one first");
        }
        candidates.sort(null);
        Path newest = candidates.get(candidates.size() - 1);
        ProfileTable table = ProfileStore.requireEnergy(ProfileStore.readFor(newest, board.identity().kind()), newest);
        if (ProfileKey.VIRTUAL.equals(table.key().source()) && !options.allowVirtualProfiles()) {
            throw new MalformedFileException("the profile for " + model + " was made on a virtual board; "
                    + "use it only with --allow-virtual-profiles");
        }
        return table;
    }

    private String handle(ControlRequest request, ControlServer.Peer peer) {
        try {
            if (request instanceof ControlRequest.Register r) {
                Budget budget = r.budgetMs() != null ? new Budget.Millis(r.budgetMs()) : new Budget.Slowdown(r.slowdown());
                OperatingPoint p = register(r.model(), r.hash(), r.batch(), budget, Percentile.parse(r.percentile()));
                LOG.info("{} registered by user {}", r.model(), peer.user());
                return ControlProtocol.ok(point(p));
            }
            if (request instanceof ControlRequest.Begin b) {
                begin(b.model());
                return ControlProtocol.ok(Map.of());
            }
            if (request instanceof ControlRequest.Report r) {
                report(r.model(), r.latenciesMs());
                return ControlProtocol.ok(Map.of());
            }
            if (request instanceof ControlRequest.Unregister u) {
                unregister(u.model());
                return ControlProtocol.ok(Map.of());
            }
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("board", board.identity().kind());
            status.put("models", new ArrayList<>(profiles.keySet()));
            status.put("held", held == null ? null : point(held));
            return ControlProtocol.ok(status);
        } catch (RuntimeException e) {
            return ControlProtocol.error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static Map<String, Object> point(OperatingPoint p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuKHz", p.cpuKHz());
        m.put("gpuHz", p.gpuHz());
        m.put("emcHz", p.emcHz());
        return m;
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
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null) {
            server.close();
        }
        if (sampler != null) {
            sampler.close();
        }
        synchronized (this) {
            pinner.release();
            held = null;
        }
        LOG.info("stopped; every clock setting is back as it was");
    }

    /** No point of the profile meets the budget asked for: exit code 3. */
    public static final class InfeasibleBudgetException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public InfeasibleBudgetException(String message) {
            super(message);
        }
    }
}
