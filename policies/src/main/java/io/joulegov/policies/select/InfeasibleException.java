package io.joulegov.policies.select;

/**
 * No operating point meets what was asked: a budget that even the fastest point of the profile misses. The message
 * says it in the policies' own terms (the budget in ms at its percentile, the fastest point and its latency);
 * naming a command-line flag is for the caller.
 */
public class InfeasibleException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InfeasibleException(String message) {
        super(message);
    }

    /** An infeasible {@code selection} of {@code subject} (a model's name; null or empty for none). */
    public static InfeasibleException of(String subject, Selection selection) {
        if (selection.feasible()) {
            throw new IllegalArgumentException("a feasible selection: " + selection.describe());
        }
        return new InfeasibleException(subject == null || subject.isEmpty() ? selection.describe()
                : subject + ": " + selection.describe());
    }
}
