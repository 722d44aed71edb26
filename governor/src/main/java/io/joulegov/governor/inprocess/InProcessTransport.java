package io.joulegov.governor.inprocess;

import io.joulegov.client.Registration;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.ReleaseOnShutdown;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.client.Transport;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A governor inside the application's process: the same daemon, called directly, started on first registration.
 * For an application that may write the clocks itself (as root):
 * {@code GovernedPredictor.builder(p).model("resnet18").slowdown(1.3).transport(InProcessTransport.open(root, cache))}.
 * Closing the predictor closes it, which gives the clocks back.
 */
public final class InProcessTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(InProcessTransport.class);

    private final GovernDaemon daemon;
    private final ReleaseOnShutdown guard;
    private boolean started;

    private InProcessTransport(GovernDaemon daemon) {
        this.daemon = daemon;
        // an application stopped by SIGTERM (systemd, docker stop) without reaching close() gives the clocks back
        this.guard = ReleaseOnShutdown.install("joulegov-in-process", daemon::close, () -> {
            daemon.close();
            LOG.warn("the JVM is shutting down without close(): stopped governing and gave every clock setting back");
        });
    }

    /** Governs the board under {@code root} with profiles from {@code cache} (null: the service's cache under root). */
    public static InProcessTransport open(Path root, Path cache) {
        return open(root, cache, false);
    }

    /** As {@link #open(Path, Path)}; {@code allowVirtualProfiles} for a board served by {@code joulegov simulate}. */
    public static InProcessTransport open(Path root, Path cache, boolean allowVirtualProfiles) {
        SysRoot sys = SysRoot.of(root);
        return new InProcessTransport(GovernDaemon.open(sys, GovernDaemon.Options.of(RestoreJournal.defaultFile(sys),
                ProfileStore.locate(cache, root), allowVirtualProfiles), Clock.system()));
    }

    @Override
    public void register(Registration r) throws IOException {
        try {
            if (!started) {
                daemon.start(null);
                started = true;
            }
            Budget budget = Budget.of(r.budgetMs(), r.slowdown());
            daemon.register(r.model(), r.hash(), r.batch(), budget, Percentile.parse(r.percentile()));
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void begin(String model) throws IOException {
        try {
            daemon.begin(model);
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public Duration report(String model, double[] latenciesMs, double[] endedMsAgo, int count) throws IOException {
        try {
            return daemon.report(model, LoopTransport.list(latenciesMs, count), LoopTransport.list(endedMsAgo, count));
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void disconnect() {
        // nothing to reconnect: the governor lives as long as the predictor
    }

    @Override
    public void close() {
        guard.close();
    }
}
