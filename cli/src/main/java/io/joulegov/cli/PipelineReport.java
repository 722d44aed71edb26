package io.joulegov.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.joulegov.cli.compare.Mode;
import io.joulegov.cli.compare.PipelineComparison;
import io.joulegov.cli.compare.PipelineRun;
import io.joulegov.policies.select.Percentile;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What {@code compare} prints for a pipeline: a table, or the {@code --json} object (docs/DESIGN.md). */
final class PipelineReport {

    private PipelineReport() {
    }

    /** The {@code compare --json} object of a pipeline. */
    record Report(String board, String percentile, List<MemberSetup> members, Map<String, ModeReport> modes) {
    }

    /** A member as run: its model, arrivals per second and budget (ms). */
    record MemberSetup(String model, double rate, double budgetMs) {
    }

    /**
     * One mode's figures: board energy over the run (J), mean board power (W), the saving against dvfs's energy (a
     * fraction), the fixed point (null when none), each member's, and for {@code adaptive} the mix at the end.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModeReport(double energyJ, double watts, double savingVsDvfs, String point, Map<String, MemberReport> members,
                      MixReport mix) {
    }

    /**
     * The mix governed as one at the end of the run: its members, the point held, the board power it predicted there
     * (W) and what the members' profiles alone predicted (W), the energy windows that taught it, and the board's mean
     * power over the run's last minute (W).
     */
    record MixReport(String members, String point, double predictedWatts, double profileWatts, long windowsLearned,
                     double measuredWatts) {
    }

    /** One member under one mode: the share of its inferences over its budget, its latencies (ms), its inferences. */
    record MemberReport(double missRate, double meanMs, double p50Ms, double p95Ms, double p99Ms, long inferences) {
    }

    static Report report(String board, PipelineRun.Setup s, PipelineComparison.Outcome o) {
        double dvfs = o.modes().get(Mode.DVFS).energyJ();
        Map<String, ModeReport> modes = new LinkedHashMap<>();
        o.modes().forEach((mode, r) -> {
            Map<String, MemberReport> members = new LinkedHashMap<>();
            r.members().forEach((model, m) -> members.put(model, new MemberReport(m.missRate(o.budgetsMs().get(model)),
                    m.latencyMs(Percentile.MEAN), m.latencyMs(Percentile.P50), m.latencyMs(Percentile.P95),
                    m.latencyMs(Percentile.P99), m.inferences())));
            PipelineRun.MixResult mix = r.mix();
            modes.put(mode.label(), new ModeReport(r.energyJ(), r.watts(), 1 - r.energyJ() / dvfs,
                    r.point() == null ? null : r.point().toString(), members, mix == null ? null
                    : new MixReport(mix.status().members(), mix.status().point().toString(), mix.status().predictedWatts(),
                    mix.status().profileWatts(), mix.status().windowsLearned(), mix.measuredWatts())));
        });
        List<MemberSetup> members = s.members().stream()
                .map(m -> new MemberSetup(m.model(), m.rate(), o.budgetsMs().get(m.model()))).toList();
        return new Report(board, s.percentile().label(), members, modes);
    }

    static String table(String board, PipelineRun.Setup s, PipelineComparison.Outcome o) {
        StringBuilder t = new StringBuilder(String.format("a pipeline on the virtual %s, budgets at %s:", board,
                s.percentile().label()));
        s.members().forEach(m -> t.append(String.format(" %s %.3g/s %.1f ms", m.model(), m.rate(), o.budgetsMs().get(m.model()))));
        t.append(String.format("%n%-19s %9s %7s %7s", "mode", "energy J", "mean W", "saving"));
        s.members().forEach(m -> t.append(String.format("  %-21s", m.model() + " misses, " + s.percentile().label())));
        t.append(String.format("  point%n"));
        double dvfs = o.modes().get(Mode.DVFS).energyJ();
        o.modes().forEach((mode, r) -> {
            t.append(String.format("%-19s %9.1f %7.2f %6.1f%%", mode.label(), r.energyJ(), r.watts(),
                    100 * (1 - r.energyJ() / dvfs)));
            r.members().forEach((model, m) -> t.append(String.format("  %7.2f%% %9.1f ms", 100 * m.missRate(o.budgetsMs().get(model)),
                    m.latencyMs(s.percentile()))));
            t.append(String.format("  %s%n", r.point() == null ? "" : r.point()));
        });
        return t.toString();
    }
}
