package io.joulegov.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.joulegov.device.DeviceException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.cli.compare.VirtualProfiling;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.djl.BuiltInModels;
import io.joulegov.djl.DjlWorkload;
import io.joulegov.profiler.measure.ProfileRun;
import io.joulegov.profiler.measure.Sweep;
import io.joulegov.profiler.attach.ReportedStream;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.profiler.workload.Workload;
import io.joulegov.profiler.workload.WorkloadSource;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** {@code joulegov profile}: energy and latency of a model over the frequency grid, into the models-cache. */
@Command(name = "profile", description = "Measure a model's energy and latency over the CPU x GPU (x EMC) grid.")
final class ProfileCommand implements Callable<Integer> {

    /** How long an attached application may go without reporting before the profile gives up (a stall). */
    private static final Duration ATTACHED_STALL = Duration.ofSeconds(60);
    /** How long a closed window waits for late reports of inferences that ended in it: above any client's batching. */
    private static final Duration ATTACHED_STRAGGLE = Duration.ofSeconds(2);

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    BoardTarget target = new BoardTarget();

    @Option(names = "--model", paramLabel = "NAME|FILE.pt",
            description = "alexnet, resnet18, mobilenet-v2, yolov4-tiny, bert-tiny, distilbert, or a TorchScript file;"
                    + " with --attach, the model name the application registers (default: the first it registers).")
    String model;

    @Option(names = "--attach", description = "Profile the inferences another process runs and reports over the control"
            + " socket (joulegov's Java or Python client), instead of running the model here.")
    boolean attach;

    @Option(names = "--socket", paramLabel = "PATH", description = "With --attach: the control socket to serve"
            + " (default: ROOT/run/joulegov/joulegov.sock, as the daemon's).")
    Path socket;

    @Option(names = "--socket-group", paramLabel = "GROUP", description = "With --attach: the socket's group (mode 0660),"
            + " so that an application not run as root can connect.")
    String socketGroup;

    @Option(names = "--input-shape", paramLabel = "DIMS", split = ",",
            description = "A TorchScript model's float input, batch first (e.g. 1,3,224,224).")
    List<Long> inputShape;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1")
    int batch;

    @Option(names = "--device", paramLabel = "cpu|gpu",
            description = "Where DJL runs the model (default: gpu when its engine finds one, else cpu).")
    String device;

    @Option(names = "--inferences", paramLabel = "N", defaultValue = "3200", description = "Inferences per run (default 3200).")
    int inferences;

    @Option(names = "--reruns", paramLabel = "R", defaultValue = "10", description = "Runs per point at most (default 10; at least 3, fewer once energy is known within 2%%).")
    int reruns;

    @Option(names = "--grid", paramLabel = "full|sparse", defaultValue = "full", description = "Every point, or at most 10%% of them (default full).")
    String grid;

    @Option(names = "--emc", negatable = true,
            description = "Sweep the memory clock as a third axis (default: wherever the board can lock it); --no-emc leaves it to the kernel.")
    Boolean emc;

    @Option(names = "--sample-ms", paramLabel = "MS", defaultValue = "100", description = "Power sampling period, 10-1000 ms (default 100).")
    int sampleMs;

    @Option(names = "--cache", paramLabel = "DIR", description = "The models-cache (default: $JOULEGOV_CACHE, else ./models-cache).")
    Path cache;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the profile here instead of into the cache.")
    Path out;

    @Option(names = "--resume", description = "Continue an interrupted profile of the same model and method.")
    boolean resume;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of a virtual board's noise (built-in models always use the same weights).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Mixin
    UnitOption unit = new UnitOption();

    @Override
    public Integer call() throws Exception {
        validate();
        int unitN = unit.of(target.virtual != null);
        long wall0 = System.nanoTime();
        ProfileRun.Method method = new ProfileRun.Method(grid.equals("sparse"),
                emc == null ? ProfileRun.MemoryClock.WHERE_LOCKABLE : ProfileRun.MemoryClock.of(emc), inferences, reruns, sampleMs);
        Function<ProfileKey, Path> profilePath = key -> out != null ? out : ProfileStore.locate(cache, null).pathFor(key);
        Function<ProfileKey, Path> checkpointFor = key -> checkpoint(profilePath.apply(key));
        ProfileRun.Outcome outcome;
        AtomicInteger measured = new AtomicInteger();
        Runnable onInterrupted = () -> interrupted(measured.get());
        try (ProgressBar bar = progressBar()) {
            Sweep.Progress progress = (done, expected, last) -> {
                measured.set(done);
                if (bar != null) {
                    bar.maxHint(expected);
                    bar.stepTo(done);
                    bar.setExtraMessage(last.point().toString());
                }
            };
            outcome = target.virtual != null
                    ? VirtualProfiling.run(new VirtualProfiling.Request(BoardTarget.requireKnown(target.virtual).name(), unitN, model,
                            method, seed), checkpointFor, resume, progress, onInterrupted)
                    : attach ? profileAttached(method, checkpointFor, progress, onInterrupted)
                    : profileHost(method, checkpointFor, progress, onInterrupted);
        } catch (InterruptedException stopped) {
            return ExitCode.INTERRUPTED; // told to stop: the shutdown hook gave the board back and said how to resume
        }
        Path written = profilePath.apply(outcome.key());
        ProfileStore.write(outcome.result().table(), written);
        Sweep.finish(checkpoint(written));
        report(written, outcome, (System.nanoTime() - wall0) / 1e9);
        return ExitCode.OK;
    }

    /** Real DJL inference on the board at --root (default /), or latency only where it has no knobs or sensors. */
    private ProfileRun.Outcome profileHost(ProfileRun.Method method, Function<ProfileKey, Path> checkpointFor,
                                           Sweep.Progress progress, Runnable onInterrupted) throws Exception {
        Board board = BoardDiscovery.discover(SysRoot.of(target.rootDir()));
        try (Workload workload = openWorkload()) {
            sayIfLatencyOnly(board);
            return ProfileRun.run(board, Clock.system(), new WorkloadSource(workload, Clock.system()), method,
                    ProfileKey.MEASURED, checkpointFor, resume, progress, onInterrupted);
        }
    }

    /** On a host without knobs or power sensors, one line says that only latency will be profiled, and why. */
    private void sayIfLatencyOnly(Board board) {
        String why = ProfileRun.latencyOnlyReason(board);
        if (why != null) {
            spec.commandLine().getErr().printf("joulegov: %s on this host: profiling latency only, at the current clocks%n", why);
        }
    }

    /**
     * Inferences that an application runs and reports, on the board at --root: the profiler serves the control
     * socket in the daemon's place (the board's owner lock keeps a running daemon's socket from being taken).
     */
    private ProfileRun.Outcome profileAttached(ProfileRun.Method method, Function<ProfileKey, Path> checkpointFor,
                                               Sweep.Progress progress, Runnable onInterrupted) throws Exception {
        SysRoot root = SysRoot.of(target.rootDir());
        Board board = BoardDiscovery.discover(root);
        Path sock = socket != null ? socket : root.path("run/joulegov/joulegov.sock");
        sayIfLatencyOnly(board);
        try (AttachedStream stream = new AttachedStream(new ReportedStream(model, Clock.system(), ATTACHED_STALL,
                ATTACHED_STRAGGLE), sock, socketGroup, spec.commandLine().getErr())) {
            return ProfileRun.run(board, Clock.system(), stream, method, ProfileKey.MEASURED, checkpointFor, resume,
                    progress, onInterrupted);
        }
    }

    /** Told to stop (Ctrl-C, SIGTERM) mid-sweep, after the board is given back: how far it got, how to go on. */
    private void interrupted(int measured) {
        List<String> again = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        if (!again.contains("--resume")) {
            again.add("--resume");
        }
        var err = spec.commandLine().getErr();
        err.printf("%njoulegov: stopped after %d point(s); every clock setting is back as it was. Continue with: joulegov profile %s%n",
                measured, String.join(" ", again.subList(again.indexOf("profile") + 1, again.size())));
        err.flush();
    }

    /** A DJL workload; without DJL on the class path (the joulegov package alone) one line says what to install. */
    private Workload openWorkload() {
        try {
            return openDjlWorkload();
        } catch (NoClassDefFoundError noDjl) {
            throw new DeviceException("profiling a model needs the DJL workloads, which are not installed "
                    + "(install the joulegov-djl package; missing class " + noDjl.getMessage() + ")");
        }
    }

    private Workload openDjlWorkload() {
        if (model.endsWith(".pt") || Files.isRegularFile(Path.of(model))) {
            if (inputShape == null) {
                throw new UsageException("a TorchScript model needs --input-shape, e.g. --input-shape 1,3,224,224");
            }
            return DjlWorkload.torchScript(Path.of(model), inputShape, device);
        }
        if (inputShape != null) {
            throw new UsageException("--input-shape is for TorchScript files; " + model + " has its own");
        }
        if (!BuiltInModels.contains(model)) {
            throw new UsageException("unknown model '" + model + "' (known: " + String.join(", ", BuiltInModels.names())
                    + ", or a TorchScript .pt file with --input-shape)");
        }
        return DjlWorkload.builtIn(model, batch, BuiltInModels.WEIGHTS_SEED, device);
    }

    private void validate() {
        if (attach) {
            validateAttach();
        } else if (model == null) {
            throw new UsageException("--model is required (or --attach, to profile another process's inferences)");
        } else if (socket != null || socketGroup != null) {
            throw new UsageException("--socket and --socket-group are for --attach");
        }
        if (!grid.equals("full") && !grid.equals("sparse")) {
            throw new UsageException("--grid is full or sparse, not '" + grid + "'");
        }
        if (inferences < 1 || reruns < 1 || batch < 1) {
            throw new UsageException("--inferences, --reruns and --batch must be at least 1");
        }
        if (target.virtual != null && batch != 1) {
            throw new UsageException("a virtual board runs batch 1");
        }
        if (inputShape != null && (inputShape.isEmpty() || inputShape.stream().anyMatch(d -> d < 1))) {
            throw new UsageException("--input-shape takes positive dimensions, batch first: e.g. 1,3,224,224");
        }
        if (sampleMs < 10 || sampleMs > 1000) {
            throw new UsageException("--sample-ms must be between 10 and 1000");
        }
        if (cache != null && out != null) {
            throw new UsageException("--cache and --out exclude each other");
        }
        if (device != null && !device.equals("cpu") && !device.equals("gpu")) {
            throw new UsageException("--device is cpu or gpu, not '" + device + "'");
        }
        if (device != null && target.virtual != null) {
            throw new UsageException("--device is for DJL models; a virtual board runs its simulated workloads");
        }
    }

    private void validateAttach() {
        if (target.virtual != null) {
            throw new UsageException("--attach profiles another process's inferences on the board at --root (a live"
                    + " 'joulegov simulate' board too); --virtual boards run their own workloads");
        }
        if (inputShape != null || device != null || batch != 1) {
            throw new UsageException("--input-shape, --device and --batch describe a model run here; with --attach the"
                    + " application registers its own");
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
        return new ProgressBarBuilder().setTaskName("profile " + (model != null ? model : "attached")).setInitialMax(0)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" points", 1).showSpeed().build();
    }

    /** The {@code profile --json} object: where the profile went, how much of the grid was measured, how long it took. */
    @JsonPropertyOrder({"profile", "gridSize", "pointsMeasured", "deviceSeconds", "wallSeconds", "latencyOnly"})
    record Report(String profile, int gridSize, int pointsMeasured, double deviceSeconds, double wallSeconds,
                  boolean latencyOnly) {
    }

    private void report(Path target, ProfileRun.Outcome outcome, double wall) {
        Sweep.Result r = outcome.result();
        int gridSize = outcome.gridSize();
        var outw = spec.commandLine().getOut();
        if (json) {
            outw.println(Json.of(new Report(target.toString(), gridSize, r.measuredNow() + r.resumed(), r.deviceNanos() / 1e9,
                    wall, outcome.latencyOnlyBecause() != null)));
        } else {
            outw.printf("profiled %s: %d of %d points measured%s, %.0f s of board time, %.1f s wall; wrote %s%n",
                    outcome.key().model(),
                    r.measuredNow() + r.resumed(), gridSize, r.resumed() > 0 ? " (" + r.resumed() + " before resuming)" : "",
                    r.deviceNanos() / 1e9, wall, target);
        }
        outw.flush();
    }
}
