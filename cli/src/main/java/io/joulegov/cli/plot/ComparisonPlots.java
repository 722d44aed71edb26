package io.joulegov.cli.plot;

import io.joulegov.cli.compare.Mode;
import io.joulegov.cli.compare.ModeResult;
import io.joulegov.cli.compare.PipelineRun;
import io.joulegov.cli.compare.Trace;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code compare --plot DIR}: the profile's frontier with each mode's run on it ({@code pareto}), a timeline per mode
 * ({@code timeline-MODE}), the modes side by side ({@code modes}), all PNG and SVG, and the timelines' numbers
 * ({@code timeline.csv}).
 */
public final class ComparisonPlots {

    private ComparisonPlots() {
    }

    public static List<Path> write(String subject, ProfileTable profile, Percentile q, double budgetMs,
                                   Map<Mode, ModeResult> modes, Path dir) {
        List<Path> files = new ArrayList<>();
        Selection choice = Selector.select(profile, Request.minEnergy(new Budget.Millis(budgetMs), q));
        List<ProfilePlots.Run> runs = new ArrayList<>();
        Map<String, RunPlots.ModeBar> bars = new LinkedHashMap<>();
        modes.forEach((mode, r) -> {
            runs.add(new ProfilePlots.Run(mode.label(), r.latencyMs(q), r.energyJPerInference()));
            bars.put(mode.label(), new RunPlots.ModeBar(r.energyJPerInference(), r.missRate()));
        });
        files.addAll(ChartFiles.write(ProfilePlots.pareto(profile, q, choice, runs), dir, "pareto", 900, 620));
        for (Map.Entry<Mode, ModeResult> e : modes.entrySet()) {
            String label = e.getKey().label();
            files.addAll(ChartFiles.write(RunPlots.timeline(subject + ": " + label, e.getValue().trace(), budgetMs, q.label()),
                    dir, "timeline-" + label, 900, 760));
        }
        files.addAll(ChartFiles.write(RunPlots.modes(subject + String.format(": budget %.1f ms at %s", budgetMs, q.label()),
                bars), dir, "modes", 900, 520));
        files.add(csv(modes, dir.resolve("timeline.csv")));
        return files;
    }

    /**
     * {@code compare --plot DIR} for a pipeline: a timeline per mode ({@code timeline-MODE}: the board's clocks and
     * power, each member's latency at {@code q} against its budget), the modes side by side ({@code modes}: board
     * energy per inference of the pipeline, the worst member's misses), PNG and SVG, and the timelines' numbers
     * ({@code timeline.csv}, a row per mode, second and member).
     */
    public static List<Path> writePipeline(String subject, Percentile q, Map<String, Double> budgetsMs,
                                           Map<Mode, PipelineRun.Result> modes, Path dir) {
        List<Path> files = new ArrayList<>();
        Map<String, RunPlots.ModeBar> bars = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("mode,member,seconds,cpu_held_mhz,cpu_mhz,gpu_held_mhz,gpu_mhz,emc_held_mhz,"
                + "emc_mhz,watts,latency_ms,celsius\n");
        for (Map.Entry<Mode, PipelineRun.Result> e : modes.entrySet()) {
            String label = e.getKey().label();
            PipelineRun.Result r = e.getValue();
            long inferences = r.members().values().stream().mapToLong(PipelineRun.MemberResult::inferences).sum();
            double worst = r.members().values().stream().mapToDouble(m -> m.missRate(budgetsMs.get(m.model()))).max().orElse(0);
            bars.put(label, new RunPlots.ModeBar(r.energyJ() / inferences, worst));
            Trace board = r.traces().values().iterator().next();
            files.addAll(ChartFiles.write(RunPlots.timeline(subject + ": " + label, board, r.traces(), budgetsMs, q.label()),
                    dir, "timeline-" + label, 900, 760));
            r.traces().forEach((member, t) -> rows(csv, label + "," + member, t));
        }
        files.addAll(ChartFiles.write(RunPlots.modes(subject + String.format(": budgets %s at %s", budgetsMs.entrySet()
                .stream().map(b -> String.format("%s %.1f ms", b.getKey(), b.getValue())).toList(), q.label()), bars),
                dir, "modes", 900, 520));
        files.add(write(csv, dir.resolve("timeline.csv")));
        return files;
    }

    private static void rows(StringBuilder s, String prefix, Trace t) {
        for (Trace.Sample x : t.samples()) {
            s.append(String.format(Locale.ROOT, "%s,%.0f,%s,%s,%s,%s,%s,%s,%s,%s,%s%n", prefix, x.seconds(),
                    num(x.cpuHeldMHz()), num(x.cpuMHz()), num(x.gpuHeldMHz()), num(x.gpuMHz()), num(x.emcHeldMHz()),
                    num(x.emcMHz()), num(x.watts()), num(x.latencyMs()), num(x.celsius())));
        }
    }

    private static Path write(CharSequence text, Path file) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static Path csv(Map<Mode, ModeResult> modes, Path file) {
        StringBuilder s = new StringBuilder("mode,seconds,cpu_held_mhz,cpu_mhz,gpu_held_mhz,gpu_mhz,emc_held_mhz,emc_mhz,watts,latency_ms,celsius\n");
        modes.forEach((mode, r) -> rows(s, mode.label(), r.trace()));
        return write(s, file);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }
}
