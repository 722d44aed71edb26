package io.joulegov.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** The {@code joulegov} command: one line per error, a documented exit code, no stack trace unless --debug. */
@Command(name = "joulegov", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "joulegov 0.1.0",
        description = "Energy-aware CPU/GPU/EMC frequency governor for DNN inference on NVIDIA Jetson boards.",
        subcommands = {DemoCommand.class, BoardsCommand.class, SimulateCommand.class, ProfileCommand.class, ImportCommand.class, ShowCommand.class,
                RecommendCommand.class, GovernCommand.class, CompareCommand.class, RestoreCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (board, files, kernel)", "2:usage error, malformed input file or refused input",
                "3:no operating point satisfies the request"})
public final class JoulegovCommand implements Runnable {

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace with an error.")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (see joulegov --help)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new JoulegovCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("joulegov: " + e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("(see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            }
            return ErrorKind.USAGE.exitCode();
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"));
            err.println("joulegov: " + oneLine(e));
            if (debug) {
                e.printStackTrace(err);
            }
            return exitCodeOf(e);
        });
        return cli.execute(args);
    }

    /** The exit code of an error: by its kind ({@link ErrorKind}), the one place that decides it. */
    static int exitCodeOf(Throwable e) {
        return ErrorKind.of(e).exitCode();
    }

    static String oneLine(Throwable e) {
        String message = ErrorKind.of(e).speaksForItself() ? e.getMessage()
                : "internal error: " + e + " (run with --debug for details)";
        return message == null ? e.getClass().getSimpleName() : message.replaceAll("\\s*\\n\\s*", " ");
    }
}
