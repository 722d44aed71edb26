package io.joulegov.cli;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.RefusedException;
import io.joulegov.policies.select.InfeasibleException;
import picocli.CommandLine;

/**
 * What went wrong, by kind, and the exit code of each: the one place where an error becomes an exit code
 * (docs/DESIGN.md, "Exit codes"). Each kind has its exception type, in the lowest module that throws it:
 * {@link UsageException} (cli), {@link MalformedFileException}, {@link RefusedException} and
 * {@link DeviceException} (device), {@link InfeasibleException} (policies). Anything else is internal.
 */
enum ErrorKind {

    /** The command line asks for something that cannot be: a bad or conflicting option, an unknown name. */
    USAGE(ExitCode.USAGE),
    /** An input file is corrupt or of a foreign format (journal, profile, CSV, configuration). */
    MALFORMED(ExitCode.USAGE),
    /** A sound input joulegov will not use here: another board's profile, a virtual or latency-only one. */
    REFUSED(ExitCode.USAGE),
    /** No operating point satisfies the request. */
    INFEASIBLE(ExitCode.INFEASIBLE),
    /** The board, a file, the kernel: missing, unreadable, refused by the kernel. */
    DEVICE(ExitCode.FAILURE),
    /** A bug, or anything not foreseen: the message is not meant for the person at the terminal. */
    INTERNAL(ExitCode.FAILURE);

    private final int exitCode;

    ErrorKind(int exitCode) {
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** Whether the error's own message is the whole story (every kind but internal). */
    boolean speaksForItself() {
        return this != INTERNAL;
    }

    static ErrorKind of(Throwable e) {
        if (e instanceof UsageException || e instanceof CommandLine.ParameterException) {
            return USAGE;
        }
        if (e instanceof MalformedFileException) { // before DeviceException: a malformed file is one of the board's files too
            return MALFORMED;
        }
        if (e instanceof RefusedException) {
            return REFUSED;
        }
        if (e instanceof InfeasibleException) {
            return INFEASIBLE;
        }
        if (e instanceof DeviceException) {
            return DEVICE;
        }
        return INTERNAL;
    }
}
