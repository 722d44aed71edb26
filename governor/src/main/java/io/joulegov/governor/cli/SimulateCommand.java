package io.joulegov.governor.cli;

import io.joulegov.governor.client.LatencyReporter;
import io.joulegov.governor.client.Registration;
import io.joulegov.governor.client.SocketTransport;
import io.joulegov.device.clock.Clock;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.workload.SimulatedWorkload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code joulegov simulate}: serves a live virtual board under a directory, in real time, for other processes
 * (joulegov govern, boards, restore, or any tool) to read and write; with a workload it also runs a stream of
 * simulated inferences and reports their latencies each second, as an instrumented application would.
 */
@Command(name = "simulate", description = "Serve a live virtual Jetson under a directory, optionally running a workload.")
final class SimulateCommand implements Runnable {

    /** How often the live board catches up with real time. */
    static final Duration TICK = Duration.ofMillis(10);

    @Spec
    CommandSpec spec;

    @Option(names = "--board", required = true, paramLabel = "BOARD", description = "nano, xavier-nx or orin-nano.")
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

    @Override
    public void run() {
        BoardSpec boardSpec = validate();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        Clock clock = Clock.system();
        try (VirtualBoard vb = VirtualBoard.create(boardSpec, root, false, seed, true).startLive(clock, TICK.toNanos())) {
            Thread hook = new Thread(stop::countDown, "simulate-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.printf("serving a virtual %s under %s%s%n", boardSpec.name(), root,
                    duration == null ? " (Ctrl-C to stop)" : " for " + duration + " s");
            out.flush();
            Thread stream = workload == null ? null : startStream(vb, clock, out, stop);
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
                stream.interrupt();
                try {
                    stream.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
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
        BoardSpec boardSpec = BoardTarget.requireKnown(board);
        if (workload != null && !boardSpec.workloads().containsKey(workload)) {
            throw new UsageException("unknown workload '" + workload + "' (known: " + String.join(", ", boardSpec.workloads().keySet()) + ")");
        }
        if (workload == null && (rate != 0 || socket != null)) {
            throw new UsageException("--rate and --socket need --workload");
        }
        if (socket == null && (budget.budgetMs != null || budget.slowdown != null)) {
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
        if (budget.budgetMs == null && budget.slowdown == null) {
            budget.slowdown = 1.3;
        }
        budget.request("min-energy", 0.5, null); // a usage error when the options do not fit together
        return new Registration(workload, "", 1, budget.budgetMs, budget.slowdown, budget.percentile);
    }

    /**
     * A thread that runs the workload and prints one line of latency statistics per second; with --socket it also
     * reports every latency to the daemon through the same reporter as GovernedPredictor.
     */
    private Thread startStream(VirtualBoard vb, Clock clock, PrintWriter out, CountDownLatch stop) {
        SimulatedWorkload w = new SimulatedWorkload(vb, workload, clock);
        LatencyReporter reporter = socket == null ? null
                : new LatencyReporter(registration(), new SocketTransport(socket), Duration.ofMillis(100));
        Random arrivals = new Random(seed);
        Thread t = clock.newThread("simulated-inference", () -> {
            long start = clock.nanoTime();
            long nextReport = start + 1_000_000_000L;
            long nextArrival = start;
            double[] window = new double[1024];
            int n = 0;
            long total = 0;
            try {
                while (stop.getCount() > 0) {
                    if (rate > 0) {
                        clock.sleepUntil(nextArrival);
                        nextArrival += Math.round(-Math.log(1 - arrivals.nextDouble()) / rate * 1e9);
                    }
                    if (reporter != null) {
                        reporter.starting();
                    }
                    long t0 = clock.nanoTime();
                    w.runOnce();
                    long t1 = clock.nanoTime();
                    if (reporter != null) {
                        reporter.record((t1 - t0) / 1e6);
                    }
                    if (n == window.length) {
                        window = Arrays.copyOf(window, n * 2);
                    }
                    window[n++] = (t1 - t0) / 1e6;
                    total++;
                    if (t1 >= nextReport) {
                        report(out, (t1 - start) / 1e9, total, Arrays.copyOf(window, n));
                        n = 0;
                        nextReport += 1_000_000_000L;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                if (reporter != null) {
                    reporter.close();
                }
            }
        });
        t.start();
        return t;
    }

    private void report(PrintWriter out, double seconds, long total, double[] latencies) {
        Arrays.sort(latencies);
        double mean = Arrays.stream(latencies).average().orElse(Double.NaN);
        double p95 = Percentile.ofSorted(latencies, 0.95);
        synchronized (out) {
            out.printf("t=%.0fs %s inferences=%d last-second=%d mean=%.1fms p95=%.1fms%n", seconds, workload, total,
                    latencies.length, mean, p95);
            out.flush();
        }
    }
}
