package io.joulegov.simulator;

import io.joulegov.simulator.spec.Boards;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The founding study's findings, reproduced on the quiet virtual boards through the real files, pinner and sampler
 * (simulator/README.md, "Calibration"). Each sweep: default DVFS for 2000 inferences, then every CPU x GPU pair.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CalibrationTest {

    private static final Map<String, Double> NANO_SAVINGS = Map.of("alexnet", 0.13, "resnet18", 0.19,
            "mobilenet-v2", 0.15, "yolov4-tiny", 0.09, "bert-tiny", 0.17, "distilbert", 0.17);

    private final Map<String, Sweep.Result> nano = new LinkedHashMap<>();
    private final Map<String, Sweep.Result> nx = new LinkedHashMap<>();

    @BeforeAll
    void sweepBothBoards() throws Exception {
        for (String w : Boards.WORKLOADS) {
            try (Sweep s = new Sweep("nano", false, 7)) {
                nano.put(w, s.sweep(w, 2000, 60));
            }
            try (Sweep s = new Sweep("xavier-nx", false, 7)) {
                nx.put(w, s.sweep(w, 2000, 60));
            }
        }
    }

    @AfterAll
    void printTable() {
        nano.forEach((w, r) -> System.out.printf("nano %-12s saving %5.1f%% latency +%5.1f%% top cpu %3.0f%% gpu %3.0f%%%n",
                w, 100 * r.saving(), 100 * r.latencyCost(), 100 * r.topCpuShare(), 100 * r.topGpuShare()));
        nx.forEach((w, r) -> System.out.printf("xavier-nx %-12s saving %5.1f%% latency +%5.1f%%%n", w, 100 * r.saving(),
                100 * r.latencyCost()));
    }

    @Test
    void latencyFallsMonotonicallyWithEachClock() {
        for (Map<String, Sweep.Result> board : List.of(nano, nx)) {
            board.forEach((w, r) -> {
                Sweep.Point[][] g = r.grid();
                for (int i = 0; i < g.length; i++) {
                    for (int j = 0; j < g[i].length; j++) {
                        if (i > 0) {
                            assertTrue(g[i][j].latencyMs() < g[i - 1][j].latencyMs(), w + ": faster CPU, lower latency");
                        }
                        if (j > 0) {
                            assertTrue(g[i][j].latencyMs() < g[i][j - 1].latencyMs(), w + ": faster GPU, lower latency");
                        }
                    }
                }
            });
        }
    }

    @Test
    void theGpuClockMattersMoreThanTheCpuClockForTheCnns() {
        for (String w : List.of("alexnet", "resnet18", "mobilenet-v2", "yolov4-tiny")) {
            Sweep.Point[][] g = nano.get(w).grid();
            int top = g.length - 1;
            int gpuTop = g[0].length - 1;
            double acrossGpu = g[top][0].latencyMs() / g[top][gpuTop].latencyMs();
            double acrossCpu = g[0][gpuTop].latencyMs() / g[top][gpuTop].latencyMs();
            assertTrue(acrossGpu > acrossCpu, w + ": GPU range " + acrossGpu + " vs CPU range " + acrossCpu);
        }
    }

    @Test
    void energyIsUShapedInTheGpuClockOnTheNano() {
        nano.forEach((w, r) -> {
            // along the GPU axis, at the CPU clock of the optimum: both ends cost more than the middle
            Sweep.Point best = r.minimumEnergy();
            Sweep.Point[] row = List.of(r.grid()).stream().filter(g -> g[0].cpuKHz() == best.cpuKHz()).findFirst().orElseThrow();
            int min = argmin(row);
            assertTrue(min > 0 && min < row.length - 1, w + ": minimum at GPU step " + min);
            assertTrue(row[0].joules() > 1.2 * best.joules(), w + ": the lowest GPU clock costs much more");
        });
    }

    @Test
    void onTheXavierNxEnergyIsNotMonotonicInEitherClock() {
        nx.forEach((w, r) -> {
            Sweep.Point best = r.minimumEnergy();
            List<Long> cpus = List.of(r.grid()).stream().map(row -> row[0].cpuKHz()).toList();
            int i = cpus.indexOf(best.cpuKHz());
            assertTrue(i > 0 && i < cpus.size() - 1, w + ": CPU optimum inside the table, at " + best.cpuKHz());
            int j = argmin(r.grid()[i]);
            assertTrue(j > 0 && j < r.grid()[i].length - 1, w + ": GPU optimum inside the table");
        });
    }

    @Test
    void theNanoMinimumEnergyPairSavesWhatTheStudyMeasuredAtTheLatencyItCost() {
        nano.forEach((w, r) -> {
            assertEquals(NANO_SAVINGS.get(w), r.saving(), 0.03, w + " saving against default DVFS");
            assertTrue(r.latencyCost() >= 0.28 && r.latencyCost() <= 0.35, w + " latency cost " + r.latencyCost());
        });
    }

    @Test
    void onTheXavierNxSavingsFallBetweenTwoAndFifteenPercent() {
        nx.forEach((w, r) -> assertTrue(r.saving() >= 0.02 && r.saving() <= 0.155, w + " saving " + r.saving()));
    }

    @Test
    void defaultDvfsHoldsTheTopClocksMostOfTheTime() {
        double cpu = nano.values().stream().mapToDouble(Sweep.Result::topCpuShare).average().orElseThrow();
        double gpu = nano.values().stream().mapToDouble(Sweep.Result::topGpuShare).average().orElseThrow();
        assertEquals(0.89, cpu, 0.05, "top CPU clock share under schedutil");
        assertEquals(0.83, gpu, 0.06, "top GPU clock share under nvhost_podgov");
    }

    private static int argmin(Sweep.Point[] row) {
        int best = 0;
        for (int j = 1; j < row.length; j++) {
            if (row[j].joules() < row[best].joules()) {
                best = j;
            }
        }
        return best;
    }
}
