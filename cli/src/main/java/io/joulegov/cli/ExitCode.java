package io.joulegov.cli;

/** The exit codes of every joulegov command (docs/DESIGN.md, README "Command-line conventions"). */
public final class ExitCode {

    public static final int OK = 0;
    /** Anything else: the board, a file, the kernel. */
    public static final int FAILURE = 1;
    /** Usage errors, malformed input files and refused inputs. */
    public static final int USAGE = 2;
    /** No operating point satisfies the request. */
    public static final int INFEASIBLE = 3;
    /** Stopped by Ctrl-C (SIGINT), as shells report it; SIGTERM ends the JVM with 143. */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}
