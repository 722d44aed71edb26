package io.joulegov.governor.cli;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.policies.select.Request;
import io.joulegov.profiler.store.ProfileStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
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

    @Option(names = "--socket", paramLabel = "PATH", description = "Control socket (default: ROOT/run/joulegov/joulegov.sock).")
    Path socket;

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
        Request request = model == null ? null : budget.request("min-energy", 0.5, null);
        Path rootDir = target.root != null ? target.root : Path.of("/");
        SysRoot root = SysRoot.of(rootDir);
        ProfileStore store = ProfileStore.locate(cache, target.root);
        Path journal = state != null ? state : RestoreJournal.defaultFile(root);
        Path sock = socket != null ? socket : root.path("run/joulegov/joulegov.sock");
        GovernDaemon daemon = GovernDaemon.open(root, new GovernDaemon.Options(journal, store, allowVirtual), Clock.system());
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            daemon.close();
            stop.countDown();
        }, "joulegov-stop");
        try {
            if (request != null) {
                daemon.register(model, "", 1, request.budget(), request.percentile());
            }
            daemon.start(sock);
            Runtime.getRuntime().addShutdownHook(hook);
            spec.commandLine().getOut().printf("governing %s under %s, control socket %s%s%n", root.root(),
                    model == null ? "no model yet" : model + " at " + daemon.held(), sock,
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
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            return ExitCode.OK; // the hook restores
        }
        daemon.close();
        spec.commandLine().getOut().println("stopped; every clock setting is back as it was");
        return ExitCode.OK;
    }
}
