package io.joulegov.cli;

import io.joulegov.cli.plot.ProfilePlots;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import io.joulegov.profiler.store.ProfileCsv;
import io.joulegov.profiler.store.ProfileStore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/** {@code joulegov show}: a profile as a summary, as CSV, or as plots. */
@Command(name = "show", description = "Show a profile: a summary (default), its rows as CSV, or PNG plots.")
final class ShowCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PROFILE")
    Path profile;

    @Option(names = "--csv", description = "Print the rows as CSV (" + ProfileCsv.HEADER + ").")
    boolean csv;

    @Option(names = "--plot", paramLabel = "DIR", description = "Write energy and latency heatmaps and a Pareto plot (PNG and SVG) into DIR.")
    Path plot;

    /** With --plot: a budget to mark, and the point chosen for it. */
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    BudgetOptions.Limit limit;

    @Option(names = "--percentile", paramLabel = "P", defaultValue = "p95", description = "For the latency plots and the frontier.")
    String percentile;

    @Override
    public void run() {
        Percentile q;
        try {
            q = Percentile.parse(percentile);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (limit != null && plot == null) {
            throw new UsageException("--budget-ms or --slowdown marks a budget on --plot");
        }
        Budget budget;
        try {
            budget = limit == null ? null : Budget.of(limit.budgetMs, limit.slowdown);
        } catch (IllegalArgumentException e) {
            throw new UsageException((limit.budgetMs != null ? "--budget-ms: " : "--slowdown: ") + e.getMessage());
        }
        ProfileTable table = ProfileStore.read(profile);
        PrintWriter out = spec.commandLine().getOut();
        List<Measurement> rows = table.rows().stream().sorted(Comparator.comparing(Measurement::point)).toList();
        if (csv) {
            out.print(ProfileCsv.format(rows));
        } else {
            out.print(summary(table, q));
        }
        if (plot != null && !table.latencyOnly()) {
            Selection choice = budget == null ? null : Selector.select(table, Request.minEnergy(budget, q));
            if (choice != null && !choice.feasible()) {
                spec.commandLine().getErr().println("joulegov: " + choice.describe() + " (the plots mark the budget only)");
            }
            for (Path f : ProfilePlots.write(table, q, choice, plot)) {
                (csv ? spec.commandLine().getErr() : out).println("wrote " + f);
            }
        }
        out.flush();
    }

    static String summary(ProfileTable table, Percentile q) {
        ProfileKey k = table.key();
        StringBuilder s = new StringBuilder();
        s.append(String.format("%s on %s%s (%s), batch %d, %d points%n", k.model(), k.board(),
                k.l4t() == null ? "" : " L4T " + k.l4t(), k.source(), k.batch(), table.rows().size()));
        long predicted = table.rows().stream().filter(Measurement::predicted).count();
        if (predicted > 0) {
            s.append(predicted).append(" of them predicted by the surrogate models, not measured\n");
        }
        long learned = table.rows().stream().filter(m -> m.source() == Measurement.Source.LEARNED).count();
        if (learned > 0) {
            s.append(learned).append(" of them learned on the board by the governor (energy it measured while holding them)\n");
        }
        Measurement fastest = table.fastest(q);
        if (table.latencyOnly()) {
            s.append(String.format("latency only (measured without power sensors, at the host's clocks): %.2f ms mean, "
                    + "%.2f ms p50, %.2f ms p95, %.2f ms p99 over %d inferences%n", fastest.meanMs(), fastest.p50Ms(),
                    fastest.p95Ms(), fastest.p99Ms(), fastest.inferences()));
            return s.toString();
        }
        Measurement cheapest = table.rows().stream().min(Comparator.comparingDouble(Measurement::energyJ)).orElseThrow();
        s.append(String.format("fastest:  %s  %.2f ms (%s)  %.4f J%n", fastest.point(), q.of(fastest), q.label(), fastest.energyJ()));
        s.append(String.format("cheapest: %s  %.2f ms (%s)  %.4f J  (%.1f%% less energy, %.1f%% more latency)%n",
                cheapest.point(), q.of(cheapest), q.label(), cheapest.energyJ(),
                100 * (1 - cheapest.energyJ() / fastest.energyJ()), 100 * (q.of(cheapest) / q.of(fastest) - 1)));
        List<Measurement> frontier = Selector.paretoFrontier(table, q);
        s.append("Pareto frontier (").append(frontier.size()).append(" points, ").append(q.label()).append(" latency):\n");
        for (Measurement m : frontier) {
            s.append(String.format("  %-42s %9.2f ms %10.4f J %7.2f W%s%n", m.point(), q.of(m), m.energyJ(), m.powerW(),
                    m.source() == Measurement.Source.MEASURED ? "" : "  " + m.source().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return s.toString();
    }
}
