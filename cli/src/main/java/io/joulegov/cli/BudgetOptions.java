package io.joulegov.cli;

import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Objective;
import io.joulegov.policies.select.Request;
import picocli.CommandLine.Option;

/** A latency budget on the command line: {@code (--budget-ms X | --slowdown F) [--percentile P]}. */
final class BudgetOptions {

    @Option(names = "--budget-ms", paramLabel = "X", description = "Latency budget in milliseconds.")
    Double budgetMs;

    @Option(names = "--slowdown", paramLabel = "F", description = "Budget as F x the latency of the profile's fastest point.")
    Double slowdown;

    @Option(names = "--percentile", paramLabel = "P", defaultValue = "p95", description = "mean, p50, p95 (default) or p99.")
    String percentile;

    /** The request these options describe with a policy; a usage error when they do not fit together. */
    Request request(String policy, double eta, Double watts) {
        if ((budgetMs == null) == (slowdown == null)) {
            throw new UsageException("give exactly one of --budget-ms and --slowdown");
        }
        try {
            Budget budget = Budget.of(budgetMs, slowdown);
            return new Request(Objective.parse(policy), budget, Percentile.parse(percentile), eta,
                    watts == null ? Double.NaN : watts);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
