package io.joulegov.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.policies.select.Objective;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import io.joulegov.policies.surrogate.Surrogate;
import io.joulegov.profiler.store.ProfileStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code joulegov recommend}: the operating point a policy picks from a profile for a budget. */
@Command(name = "recommend", description = "Pick the operating point for a latency budget from a profile.")
final class RecommendCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--profile", required = true, paramLabel = "FILE")
    Path profile;

    @Mixin
    BudgetOptions budget = new BudgetOptions();

    @Option(names = "--policy", paramLabel = "NAME", defaultValue = "min-energy",
            description = "min-energy (default), min-edp, min-ed2p, zeus, power-cap, performance.")
    String policy;

    @Option(names = "--eta", paramLabel = "E", defaultValue = "0.5", description = "Zeus's weight of energy against time (0-1).")
    double eta;

    @Option(names = "--watts", paramLabel = "W", description = "The power cap of power-cap.")
    Double watts;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        Request request = budget.request(policy, eta, watts);
        ProfileTable table = ProfileStore.requireEnergy(ProfileStore.read(profile), profile);
        Selection s = Selector.select(table, request);
        PrintWriter out = spec.commandLine().getOut();
        warnIfPredicted(table, s);
        if (json) {
            out.println(Json.of(report(request.objective(), s)));
        } else if (s.feasible()) {
            out.println(request.objective().label() + ": " + s.describe());
        }
        out.flush();
        if (!s.feasible()) {
            throw InfeasibleException.of(null, s); // after its JSON: exit 3
        }
        return ExitCode.OK;
    }

    /**
     * A point a sparse sweep predicted rather than measured is said to be so, and louder when its latency, within the
     * surrogate's error on held-out points, could fall on either side of the budget.
     */
    private void warnIfPredicted(ProfileTable table, Selection s) {
        if (!s.feasible() || !s.chosen().predicted()) {
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        List<Measurement> measured = table.rows().stream().filter(m -> !m.predicted()).toList();
        String why = "the chosen point was predicted by the surrogate models, not measured";
        try {
            Surrogate surrogate = Surrogate.fit(measured);
            if (surrogate.straddles(s.percentile().of(s.chosen()), s.budgetMs())) {
                why += String.format("; within its error (+-%.1f%%) it may miss the budget: measure it before relying on it",
                        100 * surrogate.latencyError());
            }
        } catch (IllegalArgumentException tooFew) {
            why += "; too few measured points to say how far to trust it";
        }
        err.println("joulegov: warning: " + why);
        err.flush();
    }

    /** The {@code recommend --json} object (docs/DESIGN.md); the point's fields are null when nothing is feasible. */
    @JsonPropertyOrder({"policy", "feasible", "cpuKHz", "gpuHz", "emcHz", "latencyMs", "meanLatencyMs", "energyJ", "powerW",
            "predicted", "budgetMs", "percentile", "fastest"})
    record Report(String policy, boolean feasible, Long cpuKHz, Long gpuHz, Long emcHz, Double latencyMs,
                  Double meanLatencyMs, Double energyJ, Double powerW, boolean predicted, Double budgetMs, String percentile,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Fastest fastest) {
    }

    /** When nothing is feasible: the fastest point and its latency, to say how far off the budget is. */
    @JsonPropertyOrder({"cpuKHz", "gpuHz", "emcHz", "latencyMs"})
    record Fastest(long cpuKHz, long gpuHz, Long emcHz, double latencyMs) {
    }

    static Report report(Objective objective, Selection s) {
        Measurement m = s.chosen();
        Measurement f = s.fastest();
        return new Report(objective.label(), s.feasible(), m == null ? null : m.point().cpuKHz(),
                m == null ? null : m.point().gpuHz(), m == null ? null : m.point().emcHz(),
                m == null ? null : s.percentile().of(m), m == null ? null : m.meanMs(), m == null ? null : m.energyJ(),
                m == null ? null : m.powerW(), m != null && m.predicted(), Double.isNaN(s.budgetMs()) ? null : s.budgetMs(),
                s.percentile().label(), s.feasible() ? null
                        : new Fastest(f.point().cpuKHz(), f.point().gpuHz(), f.point().emcHz(), s.percentile().of(f)));
    }
}
