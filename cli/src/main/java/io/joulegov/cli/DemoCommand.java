package io.joulegov.cli;

import io.joulegov.cli.compare.Comparison;
import io.joulegov.cli.compare.Mode;
import io.joulegov.cli.compare.ModeResult;
import io.joulegov.cli.compare.ModeRun;
import io.joulegov.cli.compare.VirtualProfiling;
import io.joulegov.profiler.measure.ProfileRun;
import io.joulegov.cli.plot.ComparisonPlots;
import io.joulegov.cli.plot.ProfilePlots;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.spec.Boards;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code joulegov demo}: the founding study in a minute on a virtual board: a sparse profile of each of the six
 * workloads, then default DVFS, the profile's choice, the online controller and the oracle side by side.
 */
@Command(name = "demo", description = "Profile the six workloads on a virtual board and compare joulegov with default DVFS.")
final class DemoCommand implements Runnable {

    static final double SLOWDOWN = 1.4;
    static final Percentile PERCENTILE = Percentile.P99;
    static final double DURATION_S = 60;

    @Spec
    CommandSpec spec;

    @Option(names = "--board", paramLabel = "BOARD", defaultValue = "nano", description = "nano (default), xavier-nx or orin-nano-super.")
    String board;

    @Option(names = "--emc", negatable = true,
            description = "The memory clock as a third axis, with emc-blind beside (default: on the orin-nano-super; nano and xavier-nx keep the founding study's CPU x GPU grid unless asked).")
    Boolean emc;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "joulegov-demo", description = "Where profiles and plots go (default ./joulegov-demo).")
    Path out;

    @Override
    public void run() {
        if (!List.of("nano", "xavier-nx", "orin-nano-super").contains(board)) {
            throw new UsageException("the demo runs on nano, xavier-nx or orin-nano-super, not '" + board + "'");
        }
        boolean emcAxis = emc != null ? emc : CompareCommand.emcAxisByDefault(board);
        PrintWriter o = spec.commandLine().getOut();
        String peers = emcAxis
                ? "under default DVFS, jetson_clocks, the other power modes, the profile's choice (static), joulegov's%n"
                        + "governor with the EMC left to the kernel (emc-blind) and holding it too (adaptive, learning the%n"
                        + "board's energy as it runs) and the oracle,%n"
                : "under default DVFS, jetson_clocks, the lowest power mode, the profile's choice (static), joulegov's%n"
                        + "governor (adaptive, learning the board's energy as it runs) and the oracle,%n";
        o.printf("joulegov demo on a virtual %s: each workload profiled (sparse%s), then run for %.0f s of board time%n"
                + peers
                + "with a budget of %.1fx the fastest latency at %s. Savings on a virtual board come from its calibration%n"
                + "%s(simulator/README.md), not from measurement.%n%n", board, emcAxis ? ", CPU x GPU x EMC" : "", DURATION_S,
                SLOWDOWN, PERCENTILE.label(), Boards.FOUNDING_STUDY.contains(board) ? "against the founding study " : "");
        o.flush();
        Map<String, Map<Mode, ModeResult>> results = new LinkedHashMap<>();
        List<DemoReport.Workload> sections = new ArrayList<>();
        long start = System.nanoTime();
        try (ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("demo")
                .setInitialMax(2L * Boards.WORKLOADS.size()).setStyle(ProgressBarStyle.ASCII).build()) {
            for (String w : Boards.WORKLOADS) {
                step(bar, "profiling " + w);
                ProfileTable profile = sparseProfile(w, emcAxis);
                ProfileTable blind = emcAxis ? sparseProfile(w, false) : null;
                ProfileStore.write(profile, out.resolve("profiles").resolve(w + ".json"));
                Selection choice = Selector.select(profile, Request.minEnergy(new Budget.Slowdown(SLOWDOWN), PERCENTILE));
                ProfilePlots.write(profile, PERCENTILE, choice, out.resolve("plots").resolve(w).resolve("profile"));
                step(bar, "comparing " + w);
                // the board profiled is the board run on: its own profile orders the oracle's candidates
                Map<Mode, ModeResult> modes = Comparison.run(new ModeRun.Setup(board, 0, w, profile,
                        new Budget.Slowdown(SLOWDOWN), PERCENTILE, 0, DURATION_S, Disturbance.NONE, 1, emcAxis),
                        profile, blind);
                ComparisonPlots.write(w + " on the virtual " + board, profile, PERCENTILE, choice.budgetMs(), modes,
                        out.resolve("plots").resolve(w).resolve("compare"));
                results.put(w, modes);
                sections.add(new DemoReport.Workload(w, choice, out.resolve("plots").resolve(w),
                        modes.keySet().stream().map(Mode::label).toList()));
            }
            if (bar != null) {
                bar.setExtraMessage("done");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Path report;
        if (emcAxis) {
            o.print(DemoModesTable.text(results));
            report = DemoReport.write(board, DemoModesTable.html(results), sections, out.resolve("report.html"));
        } else {
            List<Row> rows = rows(board, results);
            o.print(table(rows));
            report = DemoReport.write(board, DemoReport.studyTable(rows), sections, out.resolve("report.html"));
        }
        o.printf("%nProfiles in %s, heatmaps, Pareto plots and timelines in %s (%.0f s).%n", out.resolve("profiles"),
                out.resolve("plots"), (System.nanoTime() - start) / 1e9);
        o.println("Next: joulegov compare --virtual " + board + " --model resnet18 --slowdown 1.4 --disturbance thermal --plot plots");
        o.println("Report (one page, open it in a browser): " + report);
        o.flush();
    }

    /** A sparse profile of workload {@code w} on unit 0, over CPU x GPU, and x EMC with {@code emc}. */
    private ProfileTable sparseProfile(String w, boolean emc) throws Exception {
        return VirtualProfiling.table(new VirtualProfiling.Request(board, 0, w,
                new ProfileRun.Method(true, ProfileRun.MemoryClock.of(emc), 200, 3, 100), 1000));
    }

    private static void step(ProgressBar bar, String what) {
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(what);
        }
    }

    /** What the founding study measured on the Nano: the minimum-energy pair's saving against default DVFS. */
    static final Map<String, String> STUDY_NANO = Map.of("alexnet", "13%", "resnet18", "19%", "mobilenet-v2", "15%",
            "yolov4-tiny", "9%", "bert-tiny", "17%", "distilbert", "17%");

    /** One workload's line of the demo's table: savings against dvfs (%), latency against dvfs (%), misses (%). */
    record Row(String workload, double jetsonClocks, double lowPower, double fixedChoice, double adaptive, double oracle,
               String study, double staticLatency, double adaptiveLatency, double lowPowerMisses, double adaptiveMisses) {
    }

    static List<Row> rows(String board, Map<String, Map<Mode, ModeResult>> results) {
        List<Row> rows = new ArrayList<>();
        results.forEach((w, m) -> {
            ModeResult dvfs = m.get(Mode.DVFS);
            ModeResult adaptive = m.get(Mode.ADAPTIVE);
            ModeResult lowPower = lowestPowerMode(board, m);
            rows.add(new Row(w, saving(m.get(Mode.JETSON_CLOCKS), dvfs), saving(lowPower, dvfs),
                    saving(m.get(Mode.STATIC), dvfs), saving(adaptive, dvfs), saving(m.get(Mode.ORACLE), dvfs),
                    board.equals("nano") ? STUDY_NANO.get(w) : "2-15%", 100 * (m.get(Mode.STATIC).meanMs() / dvfs.meanMs() - 1),
                    100 * (adaptive.meanMs() / dvfs.meanMs() - 1), 100 * lowPower.missRate(),
                    100 * adaptive.missRate()));
        });
        return rows;
    }

    static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%-13s| %-51s| %-17s| %s%n", "", "energy saved against default DVFS", "latency vs DVFS",
                "misses (allowed 1%)"));
        s.append(String.format("%-13s| %8s %9s %7s %8s %7s %6s | %7s %8s | %9s %8s%n", "workload", "jetson-", "low-", "static",
                "adaptive", "oracle", "study", "static", "adaptive", "low-power", "adaptive"));
        s.append(String.format("%-13s| %8s %9s %7s %8s %7s %6s | %7s %8s | %9s %8s%n", "", "clocks", "power", "", "", "", "",
                "", "", "", ""));
        for (Row r : rows) {
            s.append(String.format("%-13s| %7.1f%% %8.1f%% %6.1f%% %7.1f%% %6.1f%% %6s | %+6.1f%% %+7.1f%% | %8.2f%% %7.2f%%%n",
                    r.workload(), r.jetsonClocks(), r.lowPower(), r.fixedChoice(), r.adaptive(), r.oracle(), r.study(),
                    r.staticLatency(), r.adaptiveLatency(), r.lowPowerMisses(), r.adaptiveMisses()));
        }
        return s.toString();
    }

    /** The run in the board's lowest power mode (5W on the Nano, MODE_10W_4CORE on the Xavier NX). */
    private static ModeResult lowestPowerMode(String board, Map<Mode, ModeResult> m) {
        return m.get(Mode.of(Boards.byName(board).lowestPowerMode()));
    }

    private static double saving(ModeResult r, ModeResult dvfs) {
        return 100 * (1 - r.energyJPerInference() / dvfs.energyJPerInference());
    }
}
