package io.joulegov.cli;

import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Objective;
import io.joulegov.policies.select.Request;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** A latency budget on the command line: {@code (--budget-ms X | --slowdown F) [--percentile P]}. */
final class BudgetOptions {

    /** The budget's two spellings; picocli refuses both at once. */
    static final class Limit {
        @Option(names = "--budget-ms", required = true, paramLabel = "X", description = "Latency budget in milliseconds.")
        Double budgetMs;

        @Option(names = "--slowdown", required = true, paramLabel = "F",
                description = "Budget as F x the latency of the profile's fastest point.")
        Double slowdown;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Limit limit;

    @Option(names = "--percentile", paramLabel = "P", defaultValue = "p95", description = "mean, p50, p95 (default) or p99.")
    String percentile;

    /** Whether a budget was given. */
    boolean given() {
        return limit != null;
    }

    /** The budget in ms, or null when given as a slowdown or not at all. */
    Double budgetMs() {
        return limit == null ? null : limit.budgetMs;
    }

    /** The budget as a slowdown, or {@code otherwise} when none was given (null when given in ms). */
    Double slowdown(Double otherwise) {
        return limit == null ? otherwise : limit.slowdown;
    }

    /** The request these options describe with a policy; a usage error when no budget was given or it is out of range. */
    Request request(String policy, double eta, Double watts) {
        if (limit == null) {
            throw new UsageException("give one of --budget-ms and --slowdown");
        }
        Budget budget = budget();
        Objective objective = option(null, () -> Objective.parse(policy)); // its complaint says what it is: "unknown policy 'x'"
        Percentile q = option(null, () -> Percentile.parse(percentile));
        // the policies say what is wrong in their terms; the command line names the option
        return option(objective == Objective.ZEUS ? "--eta" : "--watts",
                () -> new Request(objective, budget, q, eta, watts == null ? Double.NaN : watts));
    }

    /** The budget given (not null), a usage error naming its option when out of range. */
    private Budget budget() {
        return option(limit.budgetMs != null ? "--budget-ms" : "--slowdown", () -> Budget.of(limit.budgetMs, limit.slowdown));
    }

    /**
     * What {@code parse} makes of an option's value; its complaint, an {@link IllegalArgumentException}, is a usage
     * error, after the option's {@code name} unless that is null or the complaint names it.
     */
    private static <T> T option(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new UsageException(name == null || message.contains(name) ? message : name + ": " + message);
        }
    }
}
