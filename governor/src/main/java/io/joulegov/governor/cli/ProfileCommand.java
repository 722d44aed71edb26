package io.joulegov.governor.cli;

import io.joulegov.device.DeviceException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.Emc;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.profiler.measure.MeasurementSettings;
import io.joulegov.profiler.measure.PointMeasurer;
import io.joulegov.profiler.measure.Sweep;
import io.joulegov.profiler.plan.FullPlan;
import io.joulegov.profiler.plan.SparsePlan;
import io.joulegov.profiler.plan.SweepPlan;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.workload.SimulatedWorkload;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code joulegov profile}: energy and latency of a model over the frequency grid, into the models-cache. */
@Command(name = "profile", description = "Measure a model's energy and latency over the CPU x GPU (x EMC) grid.")
final class ProfileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    BoardTarget target = new BoardTarget();

    @Option(names = "--model", required = true, paramLabel = "NAME", description = "alexnet, resnet18, mobilenet-v2, yolov4-tiny, bert-tiny, distilbert.")
    String model;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1")
    int batch;

    @Option(names = "--inferences", paramLabel = "N", defaultValue = "3200", description = "Inferences per run (default 3200).")
    int inferences;

    @Option(names = "--reruns", paramLabel = "R", defaultValue = "10", description = "Runs per point at most (default 10; at least 3, fewer once energy is known within 2%%).")
    int reruns;

    @Option(names = "--grid", paramLabel = "full|sparse", defaultValue = "full", description = "Every point, or at most 10%% of them (default full).")
    String grid;

    @Option(names = "--emc", description = "Sweep the memory clock too, where it can be locked.")
    boolean emc;

    @Option(names = "--sample-ms", paramLabel = "MS", defaultValue = "100", description = "Power sampling period, 10-1000 ms (default 100).")
    int sampleMs;

    @Option(names = "--cache", paramLabel = "DIR", description = "The models-cache (default: $JOULEGOV_CACHE, else ./models-cache).")
    Path cache;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the profile here instead of into the cache.")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted profile of the same model and method.")
    boolean resume;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of a virtual board's noise.")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        if (target.virtual == null) {
            throw new DeviceException("profiling a real board needs the DJL workloads, which this build does not have yet; "
                    + "profile a virtual board with --virtual nano|xavier-nx|orin-nano");
        }
        long wall0 = System.nanoTime();
        try (BoardTarget.Opened opened = target.open(seed)) {
            VirtualJetson jetson = opened.virtual();
            Board board = BoardDiscovery.discover(opened.root());
            if (!jetson.board().spec().workloads().containsKey(model)) {
                throw new UsageException("unknown model '" + model + "' (known: "
                        + String.join(", ", jetson.board().spec().workloads().keySet()) + ")");
            }
            ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(opened.root(), RestoreJournal.defaultFile(opened.root())));
            List<Long> emcGrid = emcGrid(board);
            List<Long> cpuGrid = board.cpuPolicies().get(0).frequenciesKHz();
            List<Long> gpuGrid = board.gpu().orElseThrow().frequenciesHz();
            try (PowerSampler sampler = new PowerSampler(board.rails(), jetson.clock(), Duration.ofMillis(sampleMs)).start();
                 SimulatedWorkload workload = new SimulatedWorkload(jetson.board(), model, jetson.clock())) {
                var info = workload.info();
                ProfileKey key = new ProfileKey(board.identity().kind(), board.identity().l4t(), board.identity().powerMode(),
                        cpuGrid, gpuGrid, emcGrid, model, info.hash(), batch, info.inputShape(), info.engine(),
                        info.intraOpThreads(), info.interOpThreads(), inferences, reruns, sampleMs, ProfileKey.VIRTUAL);
                Path target = out != null ? out : ProfileStore.locate(cache, null).pathFor(key);
                Path checkpoint = target.resolveSibling(target.getFileName() + ".partial");
                List<io.joulegov.policies.profile.OperatingPoint> points = SweepPlan.grid(cpuGrid, gpuGrid, emcGrid);
                SweepPlan plan = grid.equals("sparse") ? new SparsePlan(points, 0.10) : new FullPlan(points);
                MeasurementSettings settings = new MeasurementSettings(inferences, Math.min(3, reruns), reruns, 0.02, 20,
                        Duration.ofMillis(50), 5, Duration.ofMillis(sampleMs));
                Sweep.Result result;
                try (ProgressBar bar = progressBar(plan instanceof SparsePlan s ? s.maxPoints() : points.size())) {
                    result = new Sweep(new PointMeasurer(board, pinner, sampler, jetson.clock(), settings), jetson.clock())
                            .run(workload, plan, key, checkpoint, resume, (done, expected, last) -> {
                                if (bar != null) {
                                    bar.maxHint(expected);
                                    bar.stepTo(done);
                                    bar.setExtraMessage(last.point().toString());
                                }
                            });
                } finally {
                    pinner.release();
                }
                ProfileStore.write(result.table(), target);
                Sweep.finish(checkpoint);
                report(target, points.size(), result, (System.nanoTime() - wall0) / 1e9);
            }
        }
        return ExitCode.OK;
    }

    private void validate() {
        if (!grid.equals("full") && !grid.equals("sparse")) {
            throw new UsageException("--grid is full or sparse, not '" + grid + "'");
        }
        if (inferences < 1 || reruns < 1 || batch != 1) {
            throw new UsageException("--inferences and --reruns must be at least 1, and a virtual board runs batch 1");
        }
        if (sampleMs < 10 || sampleMs > 1000) {
            throw new UsageException("--sample-ms must be between 10 and 1000");
        }
        if (cache != null && out != null) {
            throw new UsageException("--cache and --out exclude each other");
        }
    }

    private List<Long> emcGrid(Board board) {
        if (!emc) {
            return List.of();
        }
        Emc e = board.emc().filter(Emc::lockable).filter(x -> !x.ratesHz().isEmpty())
                .orElseThrow(() -> new DeviceException("--emc: the memory clock of this board cannot be locked"));
        return e.ratesHz();
    }

    /** A progress bar with ETA on a terminal; nothing under --json or when stderr is not a terminal. */
    private ProgressBar progressBar(int points) {
        if (json || System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("profile " + model).setInitialMax(points)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" points", 1).showSpeed().build();
    }

    private void report(Path target, int gridSize, Sweep.Result r, double wall) {
        var outw = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("profile", target.toString());
            doc.put("gridSize", gridSize);
            doc.put("pointsMeasured", r.measuredNow() + r.resumed());
            doc.put("deviceSeconds", r.deviceNanos() / 1e9);
            doc.put("wallSeconds", wall);
            outw.println(Json.of(doc));
        } else {
            outw.printf("profiled %s: %d of %d points measured%s, %.0f s of board time, %.1f s wall; wrote %s%n", model,
                    r.measuredNow() + r.resumed(), gridSize, r.resumed() > 0 ? " (" + r.resumed() + " before resuming)" : "",
                    r.deviceNanos() / 1e9, wall, target);
        }
        outw.flush();
    }
}
