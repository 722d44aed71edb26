package io.joulegov.cli;

import io.joulegov.client.Registration;
import io.joulegov.device.clock.Clock;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.LiveJetson;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.BoardSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code joulegov simulate}: serves a live virtual board under a directory, in real time, for other processes
 * (joulegov govern, boards, restore, or any tool) to read and write; with a workload it also runs a stream of
 * simulated inferences and reports their latencies each second, as an instrumented application would.
 */
@Command(name = "simulate", description = "Serve a live virtual Jetson under a directory, optionally running a workload.")
final class SimulateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--board", required = true, paramLabel = "BOARD", description = "nano, xavier-nx, orin-nano or orin-nano-super.")
    String board;

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Where to lay out the board (new or empty).")
    Path root;

    @Option(names = "--workload", paramLabel = "NAME", description = "Run this workload: " + "alexnet, resnet18, mobilenet-v2, yolov4-tiny, bert-tiny, distilbert.")
    String workload;

    @Option(names = "--rate", paramLabel = "PER_S", description = "Inferences per second (Poisson arrivals); 0 runs them back to back (default).")
    double rate;

    @Option(names = "--duration", paramLabel = "S", description = "Stop after this many seconds (default: until interrupted).")
    Double duration;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the board's noise and of arrivals.")
    long seed;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "Register the workload with the daemon at this control socket and report its latencies, as an application using GovernedPredictor does.")
    Path socket;

    @Mixin
    BudgetOptions budget = new BudgetOptions();

    @Mixin
    UnitOption unit = new UnitOption();

    @Override
    public void run() {
        BoardSpec boardSpec = validate();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        Clock clock = Clock.system();
        try (VirtualBoard vb = VirtualBoard.create(boardSpec, root, false, seed, true).startLive(clock, LiveJetson.TICK.toNanos())) {
            Thread hook = new Thread(stop::countDown, "simulate-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf("serving a virtual %s%s under %s%s%n", boardSpec.name(), unit.unit == 0 ? "" : " (unit " + unit.unit + ")", root,
                    duration == null ? " (Ctrl-C to stop)" : " for " + duration + " s");
            out.flush();
            SimulatedStream stream = workload == null ? null : SimulatedStream.start(vb, workload, rate, seed, clock,
                    socket, socket == null ? null : registration(), out);
            try {
                if (duration == null) {
                    stop.await();
                } else {
                    stop.await(Math.round(duration * 1000), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
            if (stream != null) {
                stream.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
        }
        out.println("stopped; the tree stays under " + root);
        out.flush();
    }

    private BoardSpec validate() {
        BoardSpec boardSpec = BoardTarget.requireKnown(board).unit(unit.of(true));
        if (workload != null) {
            BoardTarget.requireWorkload(boardSpec, workload);
        }
        if (workload == null && (rate != 0 || socket != null)) {
            throw new UsageException("--rate and --socket need --workload");
        }
        if (socket == null && budget.given()) {
            throw new UsageException("a budget is registered over --socket: give --socket too");
        }
        if (socket != null) {
            registration();
        }
        if (rate < 0 || Double.isNaN(rate) || (duration != null && !(duration > 0))) {
            throw new UsageException("--rate must be >= 0 and --duration > 0");
        }
        try {
            if (Files.exists(root) && (!Files.isDirectory(root) || Files.list(root).findAny().isPresent())) {
                throw new UsageException(root + " is not an empty directory: simulate lays out a fresh board there");
            }
        } catch (IOException e) {
            throw new UsageException("cannot use " + root + ": " + e.getMessage());
        }
        return boardSpec;
    }

    /** The stream's registration: the budget given, else 1.3x the fastest point at the percentile. */
    private Registration registration() {
        try {
            Percentile.parse(budget.percentile);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (budget.given()) {
            budget.request("min-energy", 0.5, null); // a usage error when the budget is out of range
        }
        return new Registration(workload, "", 1, budget.budgetMs(), budget.slowdown(1.3), budget.percentile);
    }
}
