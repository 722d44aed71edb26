package io.joulegov.cli;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.Threads;
import io.joulegov.client.LatencyReporter;
import io.joulegov.client.Registration;
import io.joulegov.client.SocketTransport;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;

/**
 * A stream of simulated inferences on a live virtual board, as an instrumented application runs them: Poisson
 * arrivals at {@code rate} per second (0: back to back), one line of latency statistics a second, and with a socket
 * every latency reported to the daemon through the same reporter as {@code GovernedPredictor}.
 */
final class SimulatedStream implements AutoCloseable {

    private final Thread thread;

    private SimulatedStream(Thread thread) {
        this.thread = thread;
    }

    /** Starts the stream; {@code socket} and {@code registration} are both null or both given. */
    static SimulatedStream start(VirtualBoard board, String workload, double rate, long seed, Clock clock,
                                 Path socket, Registration registration, PrintWriter out) {
        SimulatedWorkload w = new SimulatedWorkload(board, workload, clock);
        LatencyReporter reporter = socket == null ? null
                : new LatencyReporter(registration, new SocketTransport(socket), Duration.ofMillis(100));
        Random arrivals = new Random(seed);
        Thread t = clock.newThread("simulated-inference", () -> {
            long start = clock.nanoTime();
            long nextReport = start + 1_000_000_000L;
            long nextArrival = start;
            double[] window = new double[1024];
            int n = 0;
            long total = 0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
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
                        print(out, workload, (t1 - start) / 1e9, total, Arrays.copyOf(window, n));
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
        return new SimulatedStream(t);
    }

    private static void print(PrintWriter out, String workload, double seconds, long total, double[] latencies) {
        Arrays.sort(latencies);
        double mean = Arrays.stream(latencies).average().orElse(Double.NaN);
        double p95 = Percentile.ofSorted(latencies, 0.95);
        synchronized (out) {
            out.printf("t=%.0fs %s inferences=%d last-second=%d mean=%.1fms p95=%.1fms%n", seconds, workload, total,
                    latencies.length, mean, p95);
            out.flush();
        }
    }

    /** Stops the stream and waits for its reporter to deliver what it holds. */
    @Override
    public void close() {
        Threads.stop(thread, Duration.ofSeconds(2));
    }
}
