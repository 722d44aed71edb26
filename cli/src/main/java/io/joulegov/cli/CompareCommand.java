package io.joulegov.cli;

import io.joulegov.cli.compare.Comparison;
import io.joulegov.cli.compare.Mode;
import io.joulegov.cli.compare.ModeResult;
import io.joulegov.cli.compare.ModeRun;
import io.joulegov.cli.compare.PipelineComparison;
import io.joulegov.cli.compare.PipelineRun;
import io.joulegov.cli.compare.VirtualProfiling;
import io.joulegov.cli.plot.ComparisonPlots;
import io.joulegov.device.RefusedException;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.profiler.measure.ProfileRun;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.spec.Boards;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code joulegov compare}: what a Jetson owner would pick instead (default DVFS, jetson_clocks, the lowest power
 * mode) against the profile's choice, the governor and the oracle, on one unit of a virtual board.
 */
@Command(name = "compare", description = "Run a workload (or a pipeline of several side by side) on a virtual board under dvfs, jetson-clocks, each power mode, static, emc-blind, adaptive and oracle (a pipeline: max-of-singles, the per-clock maximum of each member's own choice, in place of static and emc-blind).")
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--virtual", required = true, paramLabel = "BOARD", description = "nano, xavier-nx, orin-nano or orin-nano-super.")
    String board;

    @Option(names = "--model", required = true, paramLabel = "NAME",
            description = "The workload; repeated, each with a --rate in the same order, a pipeline whose members run side by side.")
    List<String> models;

    @Mixin
    BudgetOptions budget = new BudgetOptions();

    @Option(names = "--rate", paramLabel = "PER_S",
            description = "Poisson arrivals per second; 0 (default) runs back to back. A pipeline gives one per --model, each above 0.")
    List<Double> rates = new ArrayList<>();

    @Option(names = "--load", paramLabel = "FRACTION",
            description = "Poisson arrivals at this fraction of the throughput at the top clocks (0 < FRACTION <= 1), instead of --rate.")
    Double load;

    @Option(names = "--emc", negatable = true,
            description = "Govern the memory clock as a third axis (default: on, but off on the founding study's boards, nano and xavier-nx, to keep its CPU x GPU grid). With it, emc-blind runs joulegov's governor with the EMC left to the kernel.")
    Boolean emc;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "120", description = "Board seconds per mode (default 120).")
    double duration;

    @Option(names = "--disturbance", paramLabel = "KIND", defaultValue = "none", description = "none, thermal or cpu-contention, in the middle third of the run.")
    String disturbance;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1")
    long seed;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Mixin
    UnitOption unit = new UnitOption();

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Govern with this profile (made on another unit, or sparse) instead of a full sweep of the unit run on.")
    Path profileFile;

    @Option(names = "--no-profile", description = "Adaptive learns the model from nothing, as the daemon does for a model it has no profile of; no static mode.")
    boolean noProfile;

    @Option(names = "--save-learned", paramLabel = "FILE",
            description = "Write the profile adaptive ended with (what it was given or learned, and the rows it learned) to FILE.")
    Path saveLearned;

    @Option(names = "--plot", paramLabel = "DIR",
            description = "Write the frontier with each mode's run (not for a pipeline), a timeline per mode (a pipeline's: every member's latency against its budget) and the modes side by side (PNG and SVG), and timeline.csv, into DIR.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        Request request = budget.request("min-energy", 0.5, null);
        for (String m : models) {
            BoardTarget.requireWorkload(BoardTarget.requireKnown(board), m); // a usage error before anything runs
        }
        int unitN = unit.of(true);
        if (models.size() > 1) {
            return pipeline(request, unitN);
        }
        String model = models.get(0);
        if (rates.size() > 1) {
            throw new UsageException("one --model takes one --rate, not " + rates.size());
        }
        double rate = rates.isEmpty() ? 0 : rates.get(0);
        if (!(duration > 0) || rate < 0 || Double.isNaN(rate)) {
            throw new UsageException("--duration must be above 0 and --rate at least 0");
        }
        Disturbance d;
        try {
            d = Disturbance.parse(disturbance);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--disturbance is none, thermal or cpu-contention, not '" + disturbance + "'");
        }
        if (noProfile && profileFile != null) {
            throw new UsageException("--no-profile and --profile exclude each other");
        }
        if (load != null && (rate > 0 || !(load > 0 && load <= 1))) {
            throw new UsageException("--load is a fraction above 0 and at most 1, and excludes --rate");
        }
        Map<Mode, ModeResult> modes;
        boolean emcAxis = emc != null ? emc : emcAxisByDefault(board);
        ProfileTable given = profileFile == null ? null : given(profileFile, board, model);
        ProfileTable truth = profile(board, unitN, model, seed, emcAxis);
        ProfileTable profile = given == null ? truth : given;
        double perSecond = load == null ? rate : load * 1e3 / fastestMs(truth);
        modes = Comparison.run(new ModeRun.Setup(board, unitN, model, noProfile ? null : profile, request.budget(),
                request.percentile(), perSecond, duration, d, seed, emcAxis), truth,
                emcAxis && !noProfile ? profile(board, unitN, model, seed, false) : null); // infeasible: exit 3
        double budgetMs = request.budget().millis(profile, request.percentile());
        PrintWriter out = spec.commandLine().getOut();
        if (saveLearned != null) {
            ProfileTable learned = modes.get(Mode.ADAPTIVE).learned();
            if (learned == null) {
                spec.commandLine().getErr().println("joulegov: adaptive learned no profile in " + duration + " s: nothing written to " + saveLearned);
                return ExitCode.FAILURE;
            }
            ProfileStore.write(learned, saveLearned);
        }
        if (json) {
            out.println(Json.of(report(board, model, budgetMs, modes)));
        } else {
            out.print(table(board, model, budgetMs, request.percentile().label(), modes));
        }
        if (plot != null) {
            PrintWriter said = json ? spec.commandLine().getErr() : out;
            for (Path f : ComparisonPlots.write(model + " on the virtual " + board + (unitN == 0 ? "" : " (unit " + unitN + ")"),
                    profile, request.percentile(), budgetMs, modes, plot)) {
                said.println("wrote " + f);
            }
            said.flush();
        }
        out.flush();
        return ExitCode.OK;
    }

    /**
     * A pipeline: each {@code --model} with its {@code --rate}, side by side on one board under every mode; budgets
     * by {@code --slowdown} against each member's latency with every clock at its top and the others running.
     */
    private int pipeline(Request request, int unitN) throws Exception {
        if (rates.size() != models.size() || rates.stream().anyMatch(r -> !(r > 0))) {
            throw new UsageException("a pipeline pairs each --model with a --rate above 0, in order: " + models.size()
                    + " models, " + rates.size() + " rates");
        }
        if (models.stream().distinct().count() < models.size()) {
            throw new UsageException("a pipeline's members are different models");
        }
        if (!(request.budget() instanceof Budget.Slowdown slowdown) || request.percentile() == Percentile.MEAN) {
            throw new UsageException("a pipeline's budget is --slowdown at a percentile (p50, p95 or p99), against each"
                    + " member's latency at the top clocks with the others running");
        }
        if (load != null || profileFile != null || noProfile || saveLearned != null || !disturbance.equals("none")) {
            throw new UsageException("a pipeline takes none of --load, --profile, --no-profile, --save-learned"
                    + " and --disturbance yet");
        }
        if (!(duration > 0)) {
            throw new UsageException("--duration must be above 0");
        }
        boolean emcAxis = emc != null ? emc : emcAxisByDefault(board);
        List<PipelineRun.Member> members = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            members.add(new PipelineRun.Member(models.get(i), rates.get(i), profile(board, unitN, models.get(i), seed, emcAxis)));
        }
        PipelineRun.Setup setup = new PipelineRun.Setup(board, unitN, members, request.percentile(), duration, seed, emcAxis);
        PipelineComparison.Outcome outcome = PipelineComparison.run(setup, slowdown.factor()); // infeasible: exit 3
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? Json.of(PipelineReport.report(board, setup, outcome)) + System.lineSeparator()
                : PipelineReport.table(board, setup, outcome));
        if (plot != null) {
            PrintWriter said = json ? spec.commandLine().getErr() : out;
            for (Path f : ComparisonPlots.writePipeline(String.join(" + ", models) + " on the virtual " + board
                    + (unitN == 0 ? "" : " (unit " + unitN + ")"), request.percentile(), outcome.budgetsMs(),
                    outcome.modes(), plot)) {
                said.println("wrote " + f);
            }
            said.flush();
        }
        out.flush();
        return ExitCode.OK;
    }

    /**
     * A quick full sweep of the unit run on, over CPU x GPU (x EMC with {@code emc}): what static and adaptive use
     * unless given a profile, and the oracle's order.
     */
    static ProfileTable profile(String board, int unit, String model, long seed, boolean emc) throws Exception {
        return VirtualProfiling.table(new VirtualProfiling.Request(board, unit, model,
                new ProfileRun.Method(false, ProfileRun.MemoryClock.of(emc), 200, 3, 100),
                seed + 1000));
    }

    /** The founding study's boards keep its CPU x GPU grid, so that the reproduction stays comparable. */
    static boolean emcAxisByDefault(String board) {
        return !Boards.FOUNDING_STUDY.contains(board);
    }

    /** The median latency at the profile's fastest point (ms). */
    private static double fastestMs(ProfileTable truth) {
        return truth.rows().stream().mapToDouble(m -> m.p50Ms()).min().orElseThrow();
    }

    /** A profile given with --profile: of this kind of board and this model, with energy (else exit 2). */
    private static ProfileTable given(Path file, String board, String model) {
        String kind;
        try (VirtualJetson jetson = VirtualJetson.open(board, 0, 0)) {
            kind = BoardDiscovery.discover(SysRoot.of(jetson.root())).identity().kind();
        }
        ProfileTable table = ProfileStore.requireEnergy(ProfileStore.readFor(file, kind), file);
        if (!table.key().model().equals(model)) {
            throw new RefusedException("profile " + file + " is of model " + table.key().model() + ", not " + model);
        }
        return table;
    }

    /** The {@code compare --json} object (docs/DESIGN.md). */
    record Report(String board, String model, double budgetMs, Map<String, ModeReport> modes) {
    }

    /** One mode's figures; {@code savingVsDvfs} is a fraction of dvfs's energy per inference. */
    record ModeReport(double energyJPerInference, double meanMs, double p95Ms, double p99Ms, double missRate,
                      double savingVsDvfs, long inferences) {
    }

    static Report report(String board, String model, double budgetMs, Map<Mode, ModeResult> modes) {
        double dvfs = modes.get(Mode.DVFS).energyJPerInference();
        Map<String, ModeReport> byMode = new LinkedHashMap<>();
        modes.forEach((mode, r) -> byMode.put(mode.label(), new ModeReport(r.energyJPerInference(), r.meanMs(), r.p95Ms(),
                r.p99Ms(), r.missRate(), 1 - r.energyJPerInference() / dvfs, r.inferences())));
        return new Report(board, model, budgetMs, byMode);
    }

    static String table(String board, String model, double budgetMs, String percentile, Map<Mode, ModeResult> modes) {
        StringBuilder s = new StringBuilder(String.format("%s on the virtual %s, budget %.1f ms at %s%n", model, board,
                budgetMs, percentile));
        s.append(String.format("%-13s %12s %9s %9s %9s %8s %8s  %s%n", "mode", "mJ/inference", "mean ms", "p95 ms",
                "p99 ms", "misses", "saving", "point"));
        double dvfs = modes.get(Mode.DVFS).energyJPerInference();
        modes.forEach((mode, r) -> s.append(String.format("%-13s %12.1f %9.1f %9.1f %9.1f %7.2f%% %7.1f%%  %s%n", mode.label(),
                r.energyJPerInference() * 1e3, r.meanMs(), r.p95Ms(), r.p99Ms(), 100 * r.missRate(),
                100 * (1 - r.energyJPerInference() / dvfs), r.point() == null ? "" : r.point())));
        return s.toString();
    }
}
