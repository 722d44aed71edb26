package io.joulegov.governor.daemon;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.socket.ControlProtocol;
import io.joulegov.governor.socket.ControlRequest;
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

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    /** How often the controller's decision is applied while nothing else asks (idle entry, for instance). */
    public static final Duration TICK = Duration.ofMillis(50);

    private static final Logger LOG = LoggerFactory.getLogger(GovernDaemon.class);

    /** What the daemon is allowed to use. */
    public record Options(Path stateFile, ProfileStore store, boolean allowVirtualProfiles) {
    }

    private final Board board;
    private final ClockPinner pinner;
    private final Options options;
    private final Clock clock;
    private final OnlineController controller = new OnlineController(ControllerSettings.defaults());
    private final Map<String, ProfileTable> profiles = new LinkedHashMap<>();
    private ControlServer server;
    private Thread ticker;
    private OperatingPoint held;
    private volatile boolean running = true;

    private GovernDaemon(Board board, Options options, Clock clock) {
        this.board = board;
        this.options = options;
        this.clock = clock;
        this.pinner = new ClockPinner(board, RestoreJournal.open(board.root(), options.stateFile()));
    }

    /** Discovers the board under {@code root}; nothing is written until the first model is registered. */
    public static GovernDaemon open(SysRoot root, Options options, Clock clock) {
        Board board = BoardDiscovery.discover(root);
        if (board.cpuPolicies().isEmpty() || board.gpu().isEmpty()) {
            throw new DeviceException(root + " has no cpufreq policy or no GPU devfreq node: nothing to govern");
        }
        return new GovernDaemon(board, options, clock);
    }

    /** Serves the control socket at {@code socket} (null for none) and starts the control tick. */
    public GovernDaemon start(Path socket) throws IOException {
        if (socket != null) {
            server = ControlServer.start(socket, this::handle, Duration.ofSeconds(5));
        }
        ticker = clock.newThread("joulegov-governor", () -> {
            try {
                while (running) {
                    clock.sleep(TICK);
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
        for (double ms : latenciesMs) {
            controller.observe(model, now, ms);
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

    /** Pins what the controller decides now, when it differs from what is held. */
    private synchronized void apply(long now) {
        if (profiles.isEmpty()) {
            return;
        }
        Decision d = controller.decide(now);
        if (!d.point().equals(held)) {
            pinner.pin(d.point().cpuKHz(), d.point().gpuHz(), d.point().emcHz());
            LOG.info("holding {} ({})", d.point(), d.idle() ? "idle" : d.model());
            held = d.point();
        }
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
