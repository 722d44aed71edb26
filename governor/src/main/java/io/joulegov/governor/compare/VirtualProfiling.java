package io.joulegov.governor.compare;

import io.joulegov.device.DeviceException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.Emc;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.profiler.measure.MeasurementSettings;
import io.joulegov.profiler.measure.PointMeasurer;
import io.joulegov.profiler.measure.Sweep;
import io.joulegov.profiler.plan.FullPlan;
import io.joulegov.profiler.plan.SparsePlan;
import io.joulegov.profiler.plan.SweepPlan;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** Profiles a simulated workload on a fresh virtual board through the profiler's own code. */
public final class VirtualProfiling {

    /** How to profile: which board and model, the plan, the method, and where the checkpoint goes. */
    public record Request(String board, String model, boolean sparse, boolean emc, int inferences, int reruns,
                          int sampleMs, long seed) {
    }

    /** The result and the grid it covered. */
    public record Outcome(Sweep.Result result, ProfileKey key, int gridSize) {
    }

    private VirtualProfiling() {
    }

    /**
     * Runs the sweep. {@code checkpointFor} gives the checkpoint's path once the key is known (null for none:
     * a temporary one is used and removed).
     */
    public static Outcome run(Request r, Function<ProfileKey, Path> checkpointFor, boolean resume, Sweep.Progress progress)
            throws Exception {
        try (VirtualJetson jetson = VirtualJetson.open(r.board(), r.seed())) {
            SysRoot root = SysRoot.of(jetson.root());
            Board board = BoardDiscovery.discover(root);
            if (!jetson.board().spec().workloads().containsKey(r.model())) {
                throw new IllegalArgumentException("unknown model '" + r.model() + "' (known: "
                        + String.join(", ", jetson.board().spec().workloads().keySet()) + ")");
            }
            ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root)));
            List<Long> cpuGrid = board.cpuPolicies().get(0).frequenciesKHz();
            List<Long> gpuGrid = board.gpu().orElseThrow().frequenciesHz();
            List<Long> emcGrid = r.emc() ? board.emc().filter(Emc::lockable).filter(e -> !e.ratesHz().isEmpty())
                    .orElseThrow(() -> new DeviceException("--emc: the memory clock of this board cannot be locked")).ratesHz()
                    : List.of();
            try (PowerSampler sampler = new PowerSampler(board.rails(), jetson.clock(), Duration.ofMillis(r.sampleMs())).start();
                 SimulatedWorkload workload = new SimulatedWorkload(jetson.board(), r.model(), jetson.clock())) {
                var info = workload.info();
                ProfileKey key = new ProfileKey(board.identity().kind(), board.identity().l4t(), board.identity().powerMode(),
                        cpuGrid, gpuGrid, emcGrid, r.model(), info.hash(), 1, info.inputShape(), info.engine(),
                        info.intraOpThreads(), info.interOpThreads(), r.inferences(), r.reruns(), r.sampleMs(), ProfileKey.VIRTUAL);
                Path checkpoint = checkpointFor.apply(key);
                if (checkpoint == null) {
                    checkpoint = jetson.root().resolve("profile.partial");
                }
                List<OperatingPoint> points = SweepPlan.grid(cpuGrid, gpuGrid, emcGrid);
                SweepPlan plan = r.sparse() ? new SparsePlan(points, 0.10) : new FullPlan(points);
                MeasurementSettings settings = new MeasurementSettings(r.inferences(), Math.min(3, r.reruns()), r.reruns(),
                        0.02, 20, Duration.ofMillis(50), 5, Duration.ofMillis(r.sampleMs()));
                try {
                    Sweep.Result result = new Sweep(new PointMeasurer(board, pinner, sampler, jetson.clock(), settings),
                            jetson.clock()).run(workload, plan, key, checkpoint, resume, progress);
                    return new Outcome(result, key, points.size());
                } finally {
                    pinner.release();
                }
            }
        }
    }
}
