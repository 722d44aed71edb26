package io.joulegov.cli;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.RefusedException;
import io.joulegov.policies.select.InfeasibleException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.UncheckedIOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind of error and its documented exit code (docs/DESIGN.md, "Exit codes"), decided in one place. */
class ExitCodeMappingTest {

    @Test
    void eachKindHasItsExitCode() {
        assertKind(ErrorKind.USAGE, 2, new UsageException("give one of --budget-ms and --slowdown"));
        assertKind(ErrorKind.USAGE, 2, new CommandLine.ParameterException(new CommandLine(new JoulegovCommand()), "bad"));
        assertKind(ErrorKind.MALFORMED, 2, new MalformedFileException("malformed profile p.json: no rows"));
        assertKind(ErrorKind.REFUSED, 2, new RefusedException("profile p.json was made on a jetson-nano, not on this jetson-tx2"));
        assertKind(ErrorKind.INFEASIBLE, 3, new InfeasibleException("no operating point meets 1.00 ms at p95"));
        assertKind(ErrorKind.DEVICE, 1, new DeviceException("cannot read /sys/x"));
    }

    @Test
    void anythingElseIsInternalAndExitsOne() {
        assertKind(ErrorKind.INTERNAL, 1, new IllegalArgumentException("a bug"));
        assertKind(ErrorKind.INTERNAL, 1, new IllegalStateException("a bug"));
        assertKind(ErrorKind.INTERNAL, 1, new UncheckedIOException(new java.io.IOException("disk")));
        assertKind(ErrorKind.INTERNAL, 1, new NullPointerException());
    }

    @Test
    void everyKindButInternalIsItsOwnMessage() {
        assertEquals("no operating point meets 1.00 ms at p95",
                JoulegovCommand.oneLine(new InfeasibleException("no operating point meets 1.00 ms at p95")));
        assertEquals("another board's", JoulegovCommand.oneLine(new RefusedException("another board's")));
        assertEquals("two lines in one", JoulegovCommand.oneLine(new DeviceException("two lines\n  in one")));
        String internal = JoulegovCommand.oneLine(new IllegalArgumentException("a bug"));
        assertTrue(internal.startsWith("internal error: java.lang.IllegalArgumentException: a bug"), internal);
    }

    @Test
    void theDocumentedCodesStay() {
        assertEquals(ExitCode.USAGE, ErrorKind.USAGE.exitCode());
        assertEquals(ExitCode.USAGE, ErrorKind.MALFORMED.exitCode());
        assertEquals(ExitCode.USAGE, ErrorKind.REFUSED.exitCode());
        assertEquals(ExitCode.INFEASIBLE, ErrorKind.INFEASIBLE.exitCode());
        assertEquals(ExitCode.FAILURE, ErrorKind.DEVICE.exitCode());
        assertEquals(ExitCode.FAILURE, ErrorKind.INTERNAL.exitCode());
    }

    private static void assertKind(ErrorKind kind, int exitCode, Throwable e) {
        assertEquals(kind, ErrorKind.of(e), e.toString());
        assertEquals(exitCode, JoulegovCommand.exitCodeOf(e), e.toString());
    }
}
