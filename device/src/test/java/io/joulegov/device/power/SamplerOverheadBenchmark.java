package io.joulegov.device.power;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sampler overhead: the sampling thread's CPU time over wall time, on the real clock, with an energy window open
 * the whole time (as while profiling). Beside it, the same periodic sleep doing nothing: the cost of waking a
 * thread on this machine, which no sampler can go below. A benchmark, not a test: run bench/sampler-overhead.sh.
 *
 * <p>Arguments: seconds per configuration (default 30).
 */
public final class SamplerOverheadBenchmark {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private SamplerOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        System.out.println("| what | period | wakes | thread CPU / wall | CPU per wake |");
        System.out.println("|---|---|---|---|---|");
        for (int periodMs : new int[] {100, 10}) {
            AtomicLong wakes = new AtomicLong();
            Thread idle = Clock.system().newThread("idle-wake", () -> {
                long next = System.nanoTime();
                try {
                    while (true) {
                        next += periodMs * 1_000_000L;
                        Clock.system().sleepUntil(next);
                        wakes.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            idle.start();
            measure("periodic sleep alone (floor)", periodMs, seconds, idle, wakes::get);
            idle.interrupt();
            for (Layout layout : List.of(Layout.NANO_JP4, Layout.XAVIER_NX_JP5)) {
                Path dir = Files.createTempDirectory("joulegov-bench-");
                Board board = BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(layout, dir)));
                try (PowerSampler sampler = new PowerSampler(board.rails(), Clock.system(), Duration.ofMillis(periodMs)).start()) {
                    EnergyWindow window = sampler.openWindow("bench");
                    String what = "sampler, " + layout.name().toLowerCase().replace('_', '-') + " ("
                            + (layout == Layout.NANO_JP4 ? "3 IIO power files" : "3 hwmon rails, 6 files") + ")";
                    measure(what, periodMs, seconds, sampler.thread(), sampler::samples);
                    window.end();
                }
            }
        }
    }

    private static void measure(String what, int periodMs, int seconds, Thread thread, java.util.function.LongSupplier count)
            throws InterruptedException {
        Thread.sleep(2000); // warm-up: class loading and JIT out of the way
        long cpu0 = MX.getThreadCpuTime(thread.getId());
        long n0 = count.getAsLong();
        long wall0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long cpu = MX.getThreadCpuTime(thread.getId()) - cpu0;
        long wall = System.nanoTime() - wall0;
        long n = count.getAsLong() - n0;
        System.out.printf("| %s | %d ms | %d | %.3f%% | %.1f us |%n", what, periodMs, n, 100.0 * cpu / wall,
                cpu / 1e3 / Math.max(1, n));
    }
}
