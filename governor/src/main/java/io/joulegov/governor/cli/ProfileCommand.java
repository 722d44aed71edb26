package io.joulegov.governor.cli;

import io.joulegov.device.DeviceException;
import io.joulegov.profiler.measure.Sweep;
import io.joulegov.governor.compare.VirtualProfiling;
import io.joulegov.profiler.store.ProfileStore;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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
        if (target.root != null && target.virtual != null) {
            throw new UsageException("--root and --virtual exclude each other");
        }
        if (target.virtual == null) {
            throw new DeviceException("profiling a real board needs the DJL workloads, which this build does not have yet; "
                    + "profile a virtual board with --virtual nano|xavier-nx|orin-nano");
        }
        long wall0 = System.nanoTime();
        BoardTarget.requireKnown(target.virtual);
        VirtualProfiling.Request request = new VirtualProfiling.Request(target.virtual, model, grid.equals("sparse"), emc,
                inferences, reruns, sampleMs, seed);
        Path[] written = new Path[1];
        VirtualProfiling.Outcome outcome;
        try (ProgressBar bar = progressBar()) {
            outcome = VirtualProfiling.run(request, key -> {
                written[0] = out != null ? out : ProfileStore.locate(cache, null).pathFor(key);
                return checkpoint(written[0]);
            }, resume, (done, expected, last) -> {
                if (bar != null) {
                    bar.maxHint(expected);
                    bar.stepTo(done);
                    bar.setExtraMessage(last.point().toString());
                }
            });
        } catch (IllegalArgumentException unknownModel) {
            throw new UsageException(unknownModel.getMessage());
        }
        ProfileStore.write(outcome.result().table(), written[0]);
        Sweep.finish(checkpoint(written[0]));
        report(written[0], outcome.gridSize(), outcome.result(), (System.nanoTime() - wall0) / 1e9);
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

    private static Path checkpoint(Path profile) {
        return profile.resolveSibling(profile.getFileName() + ".partial");
    }

    /** A progress bar with ETA on a terminal; nothing under --json or when stderr is not a terminal. */
    private ProgressBar progressBar() {
        if (json || System.console() == null) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("profile " + model).setInitialMax(0)
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
