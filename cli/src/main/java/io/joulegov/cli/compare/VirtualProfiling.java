package io.joulegov.cli.compare;

import io.joulegov.cli.UsageException;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.measure.ProfileRun;
import io.joulegov.profiler.measure.Sweep;
import io.joulegov.profiler.workload.WorkloadSource;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.nio.file.Path;
import java.util.function.Function;

/** Profiles a simulated workload on a fresh virtual board through the profiler's own code. */
public final class VirtualProfiling {

    /** Which board (kind and unit) and model, how, and the seed of the board's noise. */
    public record Request(String board, int unit, String model, ProfileRun.Method method, long seed) {
    }

    private VirtualProfiling() {
    }

    /** Runs the sweep to the end, with no checkpoint to keep and no progress to show: its table. */
    public static ProfileTable table(Request r) throws Exception {
        return run(r, key -> null, false, (done, expected, last) -> { }, () -> { }).result().table();
    }

    /**
     * Runs the sweep. {@code checkpointFor} gives the checkpoint's path once the key is known (null for none:
     * a temporary one is used and removed with the board).
     */
    public static ProfileRun.Outcome run(Request r, Function<ProfileKey, Path> checkpointFor, boolean resume,
                                         Sweep.Progress progress, Runnable onInterrupted) throws Exception {
        try (VirtualJetson jetson = VirtualJetson.open(r.board(), r.unit(), r.seed())) {
            if (!jetson.board().spec().workloads().containsKey(r.model())) {
                throw new UsageException("unknown model '" + r.model() + "' (known: "
                        + String.join(", ", jetson.board().spec().workloads().keySet()) + ")");
            }
            try (SimulatedWorkload workload = new SimulatedWorkload(jetson.board(), r.model(), jetson.clock())) {
                return ProfileRun.run(BoardDiscovery.discover(SysRoot.of(jetson.root())), jetson.clock(),
                        new WorkloadSource(workload, jetson.clock()),
                        r.method(), ProfileKey.VIRTUAL, key -> {
                            Path checkpoint = checkpointFor.apply(key);
                            return checkpoint != null ? checkpoint : jetson.root().resolve("profile.partial");
                        }, resume, progress, onInterrupted);
            }
        }
    }
}
