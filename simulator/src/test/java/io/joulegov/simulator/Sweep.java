package io.joulegov.simulator;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyReading;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Measures a workload on a virtual board the way joulegov does on a real one: through the files (ClockPinner, the
 * power sampler on the INA3221 rails) and on the virtual clock. The calibration tests are built on it.
 */
final class Sweep implements AutoCloseable {

    /** Mean latency (ms) and energy per inference (J) at one operating point, or under default DVFS. */
    record Point(long cpuKHz, long gpuHz, double latencyMs, double joules) {
    }

    /** Default DVFS, the CPU x GPU grid, and the share of time the governors held the top clocks. */
    record Result(Point dvfs, Point[][] grid, double topCpuShare, double topGpuShare) {
        Point minimumEnergy() {
            Point best = null;
            for (Point[] row : grid) {
                for (Point p : row) {
                    if (best == null || p.joules() < best.joules()) {
                        best = p;
                    }
                }
            }
            return best;
        }

        double saving() {
            return 1 - minimumEnergy().joules() / dvfs.joules();
        }

        double latencyCost() {
            return minimumEnergy().latencyMs() / dvfs.latencyMs() - 1;
        }
    }

    final Path dir;
    final VirtualClock clock = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));
    final VirtualBoard virtualBoard;
    final Board board;
    final PowerSampler sampler;
    final ClockPinner pinner;

    Sweep(String boardName, boolean noisy, long seed) throws IOException {
        dir = Files.createTempDirectory("joulegov-sweep-");
        virtualBoard = VirtualBoard.create(Boards.byName(boardName), dir, true, seed, noisy).attach(clock);
        SysRoot root = SysRoot.of(dir);
        board = BoardDiscovery.discover(root);
        sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
        pinner = new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root)));
    }

    Point run(SimulatedWorkload w, long cpuKHz, long gpuHz, int n) throws InterruptedException {
        try (EnergyWindow window = sampler.openWindow(w.info().model())) {
            long start = clock.nanoTime();
            for (int i = 0; i < n; i++) {
                w.runOnce();
            }
            EnergyReading r = window.end();
            return new Point(cpuKHz, gpuHz, (clock.nanoTime() - start) / 1e6 / n, r.joules() / n);
        }
    }


    /** Default DVFS for {@code dvfsInferences}, then every pair of the grid for {@code perPoint} inferences. */
    Result sweep(String workload, int dvfsInferences, int perPoint) throws Exception {
        try (SimulatedWorkload w = new SimulatedWorkload(virtualBoard, workload, clock)) {
            w.warmUp(200);
            Point dvfs = run(w, 0, 0, dvfsInferences);
            double topCpu = virtualBoard.topCpuShare();
            double topGpu = virtualBoard.topGpuShare();
            List<Long> cpus = board.cpuPolicies().get(0).frequenciesKHz();
            List<Long> gpus = board.gpu().orElseThrow().frequenciesHz();
            Point[][] grid = new Point[cpus.size()][gpus.size()];
            for (int i = 0; i < cpus.size(); i++) {
                for (int j = 0; j < gpus.size(); j++) {
                    pinner.pin(cpus.get(i), gpus.get(j), null);
                    w.warmUp(3);
                    grid[i][j] = run(w, cpus.get(i), gpus.get(j), perPoint);
                }
            }
            pinner.release();
            return new Result(dvfs, grid, topCpu, topGpu);
        }
    }

    @Override
    public void close() {
        sampler.close();
        virtualBoard.close();
        clock.unregister();
    }
}
