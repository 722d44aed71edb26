package io.joulegov.simulator;

import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published Orin figures the virtual Orin Nano Super is calibrated to (simulator/README.md, "Orin Nano Super"),
 * checked on the quiet board through its files, the pinner and the power sampler.
 */
class OrinCalibrationTest {

    private static final String BOARD = "orin-nano-super";
    private static final String EMC_RATE = "sys/kernel/debug/bpmp/debug/clk/emc/rate";
    private final BoardSpec spec = Boards.orinNanoSuper();
    private final long topCpu = spec.cpu().maxKHz();
    private final long topGpu = spec.gpu().maxHz();

    @Test
    void theEmcMovesMedianLatencyByElevenToFortyEightPercentDependingOnTheWorkload() throws Exception {
        List<Double> moves = new ArrayList<>();
        for (String model : Boards.WORKLOADS) {
            try (Sweep s = new Sweep(BOARD, false, 1); SimulatedWorkload w = new SimulatedWorkload(s.virtualBoard, model, s.clock)) {
                double slowest = medianMs(s, w, spec.emc().ratesHz().get(0));
                double fastest = medianMs(s, w, spec.emc().maxHz());
                moves.add(slowest / fastest - 1);
            }
        }
        assertEquals(0.11, moves.stream().mapToDouble(d -> d).min().orElseThrow(), 0.005, moves::toString);
        assertEquals(0.48, moves.stream().mapToDouble(d -> d).max().orElseThrow(), 0.005, moves::toString);
    }

    @Test
    void aNewCpuGpuAndEmcClockTakesOneFiveAndEightMillisecondsToTakeEffect() throws Exception {
        try (Sweep s = new Sweep(BOARD, false, 1)) {
            s.pinner.pin(topCpu, topGpu, spec.emc().maxHz());
            s.clock.sleep(java.time.Duration.ofMillis(20));
            s.pinner.pin(spec.cpu().frequenciesKHz().get(0), spec.gpu().frequenciesHz().get(0), spec.emc().ratesHz().get(0));
            long asked = s.clock.nanoTime();
            s.virtualBoard.beginInference(spec.workload("alexnet"), asked); // the board reads its knobs as inference begins
            long[] lowest = {spec.cpu().frequenciesKHz().get(0), spec.gpu().frequenciesHz().get(0), spec.emc().ratesHz().get(0)};
            List<Double> tookMs = new ArrayList<>();
            for (int domain = 0; domain < 3; domain++) {
                double ms = 0;
                while (at(s, asked + Math.round(ms * 1e6))[domain] != lowest[domain]) {
                    ms += 0.5;
                }
                tookMs.add(ms);
            }
            assertEquals(List.of(1.0, 5.0, 8.0), tookMs);
        }
    }

    @Test
    void theKernelLowersAnIdleEmcAndRaisesItWithALagOnceInferenceResumes() throws Exception {
        try (Sweep s = new Sweep(BOARD, false, 1); SimulatedWorkload w = new SimulatedWorkload(s.virtualBoard, "alexnet", s.clock)) {
            s.pinner.pin(topCpu, topGpu, null); // what an EMC-blind governor does
            runFor(s, w, 1000);
            assertEquals(spec.emc().maxHz(), emcRate(s), "back to back, alexnet keeps the EMC at its top");
            double steadyMs = ms(s, w);
            s.clock.sleep(java.time.Duration.ofSeconds(1));
            assertEquals(spec.emc().ratesHz().get(0), emcRate(s), "idle for a second, the EMC is at its bottom");
            double firstMs = ms(s, w);
            assertTrue(firstMs > 1.4 * steadyMs, "the first inference after idle waits on memory: " + firstMs + " vs " + steadyMs);
            long resumed = s.clock.nanoTime();
            while (emcRate(s) < spec.emc().maxHz()) {
                w.runOnce();
            }
            double lagMs = (s.clock.nanoTime() - resumed) / 1e6;
            assertTrue(lagMs > 50 && lagMs < 500, "the EMC reaches its top again after " + lagMs + " ms");
        }
    }

    @Test
    void eachPowerModeCapsTheClocksAsNvpmodelDoesTheEmcIncluded() throws Exception {
        for (BoardSpec.PowerMode mode : spec.modes()) {
            try (Sweep s = new Sweep(BOARD, false, 1); SimulatedWorkload w = new SimulatedWorkload(s.virtualBoard, "alexnet", s.clock)) {
                s.virtualBoard.setPowerMode(mode.id());
                assertEquals(Long.toString(mode.emcMaxHz()),
                        Files.readString(s.dir.resolve("sys/kernel/nvpmodel_emc_cap/emc_iso_cap")).trim());
                runFor(s, w, 500);
                long[] clocks = s.virtualBoard.clocks();
                assertTrue(clocks[1] <= Math.min(mode.gpuMaxHz(), topGpu), mode.name() + " GPU " + clocks[1]);
                long emcCap = mode.emcMaxHz() == 0 ? spec.emc().maxHz() : mode.emcMaxHz();
                assertTrue(clocks[2] <= emcCap, mode.name() + " EMC " + clocks[2]);
                s.pinner.pin(topCpu, topGpu, spec.emc().maxHz());
                runFor(s, w, 100);
                assertEquals(emcCap, s.virtualBoard.clocks()[2], mode.name() + ": a locked EMC stays within the cap");
                assertEquals(emcCap, emcRate(s), mode.name() + ": and BPMP's rate shows the rate it runs at");
            }
        }
    }

    /** AGX Orin: MAXN is not the most energy-efficient power mode; another uses up to 15% less energy. */
    @Test
    void maxnSuperIsNotTheMostEfficientPowerModeAndTheBestSavesAtMostFifteenPercent() throws Exception {
        Map<String, Double> best = new HashMap<>();
        for (String model : Boards.WORKLOADS) {
            double maxn = modeJoules(model, spec.defaultMode());
            double cheapest = spec.modes().stream().skip(1).mapToDouble(m -> modeJoules(model, m)).min().orElseThrow();
            best.put(model, 1 - cheapest / maxn);
        }
        assertTrue(best.values().stream().allMatch(saving -> saving > 0), best::toString);
        assertTrue(best.values().stream().allMatch(saving -> saving <= 0.155), best::toString);
        assertTrue(best.values().stream().anyMatch(saving -> saving > 0.12), best::toString);
    }

    private double modeJoules(String model, BoardSpec.PowerMode mode) {
        try (Sweep s = new Sweep(BOARD, false, 1); SimulatedWorkload w = new SimulatedWorkload(s.virtualBoard, model, s.clock)) {
            s.virtualBoard.setPowerMode(mode.id());
            w.warmUp(100);
            return s.run(w, 0, 0, 1000).joules();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private double medianMs(Sweep s, SimulatedWorkload w, long emcHz) throws Exception {
        s.pinner.pin(topCpu, topGpu, emcHz);
        w.warmUp(20);
        double[] ms = new double[51];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = ms(s, w);
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static double ms(Sweep s, SimulatedWorkload w) throws InterruptedException {
        long start = s.clock.nanoTime();
        w.runOnce();
        return (s.clock.nanoTime() - start) / 1e6;
    }

    private static long[] at(Sweep s, long nanos) {
        try {
            s.clock.sleepUntil(nanos);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return s.virtualBoard.clocks();
    }

    private static void runFor(Sweep s, SimulatedWorkload w, long ms) throws Exception {
        long end = s.clock.nanoTime() + ms * 1_000_000;
        while (s.clock.nanoTime() < end) {
            w.runOnce();
        }
    }

    private static long emcRate(Sweep s) throws Exception {
        return Long.parseLong(Files.readString(s.dir.resolve(EMC_RATE)).trim());
    }
}
