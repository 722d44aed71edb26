package io.joulegov.governor.cli;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
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

    @Mixin
    BoardTarget target = new BoardTarget();

    @Option(names = "--model", paramLabel = "NAME", description = "A model to govern from the start (others register over the socket).")
    String model;

    @Mixin
    BudgetOptions budget = new BudgetOptions();

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

    @Override
    public Integer call() throws Exception {
        if (target.virtual != null) {
            throw new UsageException("govern runs on a board: serve a virtual one live with 'joulegov simulate --board B --root DIR' "
                    + "and govern it with --root DIR");
        }
        if (duration != null && !(duration > 0)) {
            throw new UsageException("--duration must be above 0");
        }
        GovernConfig conf = config == null ? GovernConfig.empty() : GovernConfig.read(config);
        Path rootDir = target.root != null ? target.root : path(conf.get("root"), Path.of("/"));
        int port = metricsPort != null ? metricsPort : orDefault(conf.integer("metrics-port", 0, 65535, config), MetricsServer.DEFAULT_PORT);
        int sample = sampleMs != null ? sampleMs : orDefault(conf.integer("sample-ms", 10, 1000, config), 100);
        if (port < 0 || port > 65535 || sample < 10 || sample > 1000) {
            throw new UsageException("--metrics-port is 0 to 65535 and --sample-ms 10 to 1000");
        }
        List<GovernConfig.ModelLine> models = new ArrayList<>(conf.models());
        if (model != null) {
            Request r = budget.request("min-energy", 0.5, null);
            models.removeIf(m -> m.name().equals(model));
            models.add(new GovernConfig.ModelLine(model, budget.slowdown, budget.budgetMs, r.percentile().label(), 1));
        } else if (budget.budgetMs != null || budget.slowdown != null) {
            throw new UsageException("a budget needs --model");
        }
        SysRoot root = SysRoot.of(rootDir);
        Path cacheDir = cache != null ? cache : path(conf.get("cache"), null);
        ProfileStore store = ProfileStore.locate(cacheDir, target.root != null || conf.get("root") != null ? rootDir : null);
        Path journal = state != null ? state : path(conf.get("state"), RestoreJournal.defaultFile(root));
        Path sock = socket != null ? socket : path(conf.get("socket"), root.path("run/joulegov/joulegov.sock"));
        String group = socketGroup != null ? socketGroup : conf.get("socket-group");
        boolean allow = allowVirtual || "true".equals(conf.get("allow-virtual-profiles"));
        PrometheusMeterRegistry registry = port == 0 ? null : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GovernDaemon daemon = GovernDaemon.open(root, new GovernDaemon.Options(journal, store, allow,
                Duration.ofMillis(sample), registry), Clock.system());
        CountDownLatch stop = new CountDownLatch(1);
        MetricsServer[] metrics = new MetricsServer[1];
        Thread hook = new Thread(() -> {
            daemon.close();
            if (metrics[0] != null) {
                metrics[0].close();
            }
            stop.countDown();
        }, "joulegov-stop");
        try {
            for (GovernConfig.ModelLine m : models) {
                daemon.register(m.name(), "", m.batch(), m.budgetMs() != null ? new Budget.Millis(m.budgetMs())
                        : new Budget.Slowdown(m.slowdown()), Percentile.parse(m.percentile()));
            }
            daemon.start(sock, group);
            metrics[0] = registry == null ? null : serveMetrics(registry, port);
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine().getOut().printf("governing %s under %s, control socket %s%s%s%n", root.root(),
                    models.isEmpty() ? "no model yet" : models.size() + " model(s) at " + daemon.held(), sock,
                    metrics[0] == null ? "" : ", metrics on http://127.0.0.1:" + metrics[0].port() + "/metrics",
                    duration == null ? "" : " for " + duration + " s");
            spec.commandLine().getOut().flush();
            if (duration == null) {
                stop.await();
            } else {
                stop.await(Math.round(duration * 1000), TimeUnit.MILLISECONDS);
            }
        } catch (GovernDaemon.InfeasibleBudgetException e) {
            daemon.close();
            spec.commandLine().getErr().println("joulegov: " + e.getMessage());
            return ExitCode.INFEASIBLE;
        } catch (RuntimeException | IOException e) {
            daemon.close();
            throw e;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return ExitCode.OK; // the hook restores
        }
        daemon.close();
        if (metrics[0] != null) {
            metrics[0].close();
        }
        spec.commandLine().getOut().println("stopped; every clock setting is back as it was");
        return ExitCode.OK;
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
