package io.joulegov.cli;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.ReleaseOnShutdown;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.client.Registration;
import io.joulegov.governor.daemon.GovernConfig;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.governor.metrics.MetricsServer;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.LoggerFactory;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.simulator.LiveJetson;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code joulegov govern}: the daemon. Takes the clocks over, serves the control socket, and gives every knob back
 * on SIGTERM (and, after a crash, through {@code joulegov restore}).
 */
@Command(name = "govern", description = "Hold the board at the cheapest operating point that meets each model's budget.")
final class GovernCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    BoardTarget target = new BoardTarget();

    @Option(names = "--model", paramLabel = "NAME", description = "A model to govern from the start (others register over the socket).")
    String model;

    @Mixin
    BudgetOptions budget = new BudgetOptions();

    @Mixin
    UnitOption unit = new UnitOption();

    @Option(names = "--config", paramLabel = "FILE", description = "Configuration file (the service uses /etc/joulegov/joulegov.conf); options given here win.")
    Path config;

    @Option(names = "--socket", paramLabel = "PATH", description = "Control socket (default: ROOT/run/joulegov/joulegov.sock).")
    Path socket;

    @Option(names = "--socket-group", paramLabel = "GROUP", description = "Group of the control socket (mode 0660): its members need no root.")
    String socketGroup;

    @Option(names = "--metrics-port", paramLabel = "N", description = "Serve Prometheus metrics on 127.0.0.1:N/metrics (default 9464; 0 for none).")
    Integer metricsPort;

    @Option(names = "--sample-ms", paramLabel = "MS", description = "Power sampling period, 10-1000 ms (default 100).")
    Integer sampleMs;

    @Option(names = "--cache", paramLabel = "DIR", description = "The models-cache (default: $JOULEGOV_CACHE, else ROOT/var/lib/joulegov/models-cache).")
    Path cache;

    @Option(names = "--state", paramLabel = "FILE", description = "Restore journal (default: ROOT/" + RestoreJournal.DEFAULT_LOCATION + ").")
    Path state;

    @Option(names = "--allow-virtual-profiles", description = "Use profiles made on a virtual board (never silently on a real one).")
    boolean allowVirtual;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after this many seconds (default: until SIGTERM).")
    Double duration;

    @Option(names = "--workload", paramLabel = "NAME",
            description = "With --virtual: run this simulated workload on the board, reporting to the daemon over its socket as an application does.")
    String workload;

    @Option(names = "--rate", paramLabel = "PER_S", description = "With --workload: inferences per second (Poisson arrivals); 0 runs them back to back (default).")
    double rate;

    @Override
    public Integer call() throws Exception {
        if (duration != null && !(duration > 0)) {
            throw new UsageException("--duration must be above 0");
        }
        if (target.virtual != null) {
            BoardTarget.requireKnown(target.virtual);
        }
        int unitN = unit.of(target.virtual != null);
        if (workload != null || rate != 0) {
            requireStream();
        }
        GovernConfig conf = config == null ? GovernConfig.empty() : GovernConfig.read(config);
        int port = metricsPort != null ? metricsPort : orDefault(conf.integer("metrics-port", 0, 65535, config), MetricsServer.DEFAULT_PORT);
        int sample = sampleMs != null ? sampleMs : orDefault(conf.integer("sample-ms", 10, 1000, config), 100);
        if (port < 0 || port > 65535 || sample < 10 || sample > 1000) {
            throw new UsageException("--metrics-port is 0 to 65535 and --sample-ms 10 to 1000");
        }
        List<GovernConfig.ModelLine> models = new ArrayList<>(conf.models());
        if (model != null) {
            Request r = budget.request("min-energy", 0.5, null);
            models.removeIf(m -> m.name().equals(model));
            models.add(new GovernConfig.ModelLine(model, budget.slowdown(null), budget.budgetMs(), r.percentile().label(), 1));
        } else if (budget.given()) {
            throw new UsageException("a budget needs --model");
        }
        Path cacheDir = cache != null ? cache : path(conf.get("cache"), null);
        if (target.virtual != null) {
            // a board of its own kind: its profiles are the ones it was made for, so no --allow-virtual-profiles
            try (LiveJetson live = LiveJetson.open(target.virtual, unitN, 1, Clock.system())) {
                return govern(conf, live, SysRoot.of(live.root()), ProfileStore.locate(cacheDir, null), true, port,
                        sample, models);
            }
        }
        Path rootDir = target.root != null ? target.rootDir() : path(conf.get("root"), Path.of("/"));
        if (!Files.isDirectory(rootDir)) {
            throw new UsageException("no such directory: " + rootDir + " (root in " + config + ")");
        }
        ProfileStore store = ProfileStore.locate(cacheDir, target.root != null || conf.get("root") != null ? rootDir : null);
        boolean allow = allowVirtual || "true".equals(conf.get("allow-virtual-profiles"));
        return govern(conf, null, SysRoot.of(rootDir), store, allow, port, sample, models);
    }

    /** The stream needs a virtual board in this process and a workload that board knows. */
    private void requireStream() {
        if (target.virtual == null) {
            throw new UsageException("--workload and --rate need --virtual (on a live board, run the stream with 'joulegov simulate --socket')");
        }
        if (workload == null) {
            throw new UsageException("--rate needs --workload");
        }
        BoardTarget.requireWorkload(BoardTarget.requireKnown(target.virtual), workload);
        if (rate < 0 || Double.isNaN(rate)) {
            throw new UsageException("--rate must be >= 0");
        }
    }

    /** Runs the daemon on {@code root} until SIGTERM or the end of --duration; {@code live} is a virtual board or null. */
    private int govern(GovernConfig conf, LiveJetson live, SysRoot root, ProfileStore store, boolean allow, int port,
                       int sample, List<GovernConfig.ModelLine> models) throws Exception {
        Path journal = state != null ? state : path(conf.get("state"), RestoreJournal.defaultFile(root));
        Path sock = socket != null ? socket : path(conf.get("socket"), root.path("run/joulegov/joulegov.sock"));
        String group = socketGroup != null ? socketGroup : conf.get("socket-group");
        PrometheusMeterRegistry registry = port == 0 ? null : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GovernDaemon daemon = GovernDaemon.open(root, new GovernDaemon.Options(journal, store, allow,
                Duration.ofMillis(sample), registry, live != null), Clock.system());
        CountDownLatch stop = new CountDownLatch(1);
        // closed in this order on every way out: the stream while the daemon still hears it, then the daemon
        // (every knob back), its metrics, and a virtual board last
        List<AutoCloseable> running = new ArrayList<>(List.of(daemon));
        Runnable shutdown = () -> {
            synchronized (running) {
                for (AutoCloseable c : running) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LoggerFactory.getLogger(GovernCommand.class).warn("while stopping: {}", e.toString());
                    }
                }
                running.clear();
            }
            stop.countDown();
        };
        // before the first write: a SIGTERM from now on stops and restores by the same path as the end of --duration
        ReleaseOnShutdown guard = ReleaseOnShutdown.install("joulegov-govern", shutdown, shutdown);
        try {
            for (GovernConfig.ModelLine m : models) {
                daemon.register(m.name(), "", m.batch(), Budget.of(m.budgetMs(), m.slowdown()),
                        Percentile.parse(m.percentile()));
            }
            daemon.start(sock, group);
            MetricsServer metrics = registry == null ? null : serveMetrics(registry, port);
            if (metrics != null) {
                running.add(metrics);
            }
            if (live != null) {
                running.add(live);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("governing %s%s under %s, control socket %s%s%s%n",
                    live == null ? "" : "a virtual " + live.board().spec().name() + " at ", root.root(),
                    models.isEmpty() ? "no model yet" : models.size() + " model(s) at " + daemon.held(), sock,
                    metrics == null ? "" : ", metrics on http://127.0.0.1:" + metrics.port() + "/metrics",
                    duration == null ? "" : " for " + duration + " s");
            out.flush();
            if (workload != null) {
                running.add(0, SimulatedStream.start(live.board(), workload, rate, 1, Clock.system(), sock,
                        streamRegistration(), out));
            }
            if (duration == null) {
                stop.await();
            } else {
                stop.await(Math.round(duration * 1000), TimeUnit.MILLISECONDS);
            }
        } catch (RuntimeException | IOException e) { // an infeasible budget among them: exit 3, before any knob is touched
            guard.close();
            throw e;
        }
        guard.close();
        if (guard.interrupted()) {
            return ExitCode.OK; // the JVM is stopping on a signal; the hook gave everything back
        }
        spec.commandLine().getOut().println("stopped; every clock setting is back as it was");
        return ExitCode.OK;
    }

    /** The simulated stream registers with govern's budget when one is given, else 1.3x the fastest point at p95. */
    private Registration streamRegistration() {
        return new Registration(workload, "", 1, budget.budgetMs(), budget.slowdown(1.3), budget.percentile);
    }

    /** The metrics endpoint; a port taken by something else costs the metrics, never the governing. */
    private static MetricsServer serveMetrics(PrometheusMeterRegistry registry, int port) {
        try {
            return MetricsServer.start(registry, port);
        } catch (IOException e) {
            LoggerFactory.getLogger(GovernCommand.class).warn("metrics not served on 127.0.0.1:{}: {}", port, e.getMessage());
            return null;
        }
    }

    private static Path path(String value, Path otherwise) {
        return value == null ? otherwise : Path.of(value);
    }

    private static int orDefault(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }
}
