package io.joulegov.simulator.bench;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The founding study's full Nano sweep on the virtual board: every CPU x GPU pair, 3200 inferences per run, 10
 * reruns, power sampled every 100 ms, all through the real pinner, sampler and files, on the virtual clock.
 * A benchmark, not a test: bench/virtual-sweep.sh runs it. Arguments: board, workload, inferences, reruns.
 */
public final class VirtualSweepBenchmark {

    private VirtualSweepBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String boardName = args.length > 0 ? args[0] : "nano";
        String workload = args.length > 1 ? args[1] : "resnet18";
        int inferences = args.length > 2 ? Integer.parseInt(args[2]) : 3200;
        int reruns = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path dir = Files.createTempDirectory("joulegov-sweep-");
        VirtualClock clock = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));
        long wall0 = System.nanoTime();
        try (VirtualBoard vb = VirtualBoard.create(Boards.byName(boardName), dir, true, 1, true).attach(clock)) {
            SysRoot root = SysRoot.of(dir);
            Board board = BoardDiscovery.discover(root);
            ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root)));
            long samples;
            int pairs = 0;
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
                 SimulatedWorkload w = new SimulatedWorkload(vb, workload, clock)) {
                for (long cpu : board.cpuPolicies().get(0).frequenciesKHz()) {
                    for (CpuPolicy p : board.cpuPolicies()) {
                        pinner.pinCpu(p, cpu);
                    }
                    for (long gpu : board.gpu().orElseThrow().frequenciesHz()) {
                        pinner.pinGpu(gpu);
                        pairs++;
                        for (int r = 0; r < reruns; r++) {
                            try (EnergyWindow window = sampler.openWindow("run")) {
                                for (int i = 0; i < inferences; i++) {
                                    w.runOnce();
                                }
                            }
                        }
                    }
                }
                samples = sampler.samples();
            }
            pinner.release();
            double wall = (System.nanoTime() - wall0) / 1e9;
            System.out.printf("| %s | %s | %d pairs x %d inferences x %d reruns | %.1f h | %d | %.1f s |%n", boardName,
                    workload, pairs, inferences, reruns, clock.nanoTime() / 3.6e12, samples, wall);
        }
        clock.unregister();
    }
}
