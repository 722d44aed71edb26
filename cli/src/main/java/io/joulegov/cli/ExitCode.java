package io.joulegov.cli;

/** The exit codes of every joulegov command (docs/DESIGN.md, README "Command-line conventions"). */
public final class ExitCode {

    public static final int OK = 0;
    /** Anything else: the board, a file, the kernel. */
    public static final int FAILURE = 1;
    /** Usage errors and malformed input files. */
    public static final int USAGE = 2;
    /** No operating point satisfies the request. */
    public static final int INFEASIBLE = 3;

    private ExitCode() {
    }
}
