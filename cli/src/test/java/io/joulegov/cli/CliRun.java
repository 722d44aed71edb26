package io.joulegov.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the joulegov command line. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = JoulegovCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The error output is a single line starting with "joulegov: ". */
    boolean oneLineError() {
        return err.startsWith("joulegov: ") && err.strip().lines().count() == 1;
    }
}
