package io.joulegov.simulator.board;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.board.Emc;
import io.joulegov.device.board.PowerRail;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyReading;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.TreeSnapshot;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VirtualBoardTest {

    @TempDir
    Path tmp;

    private final VirtualClock clock = new VirtualClock(VirtualJetson.EPOCH);
    private VirtualBoard vb;
    private Board board;
    private ClockPinner pinner;

    private void open(String name, boolean noisy) {
        vb = VirtualBoard.create(Boards.byName(name), tmp, true, 11, noisy).attach(clock);
        board = BoardDiscovery.discover(SysRoot.of(tmp));
        pinner = new ClockPinner(board, RestoreJournal.open(board.root(), RestoreJournal.defaultFile(board.root())));
    }

    @AfterEach
    void close() {
        if (vb != null) {
            vb.close();
        }
    }

    private String read(String rel) throws IOException {
        return Files.readString(tmp.resolve(rel)).trim();
    }

    private void pin(long cpuKHz, long gpuHz) {
        pinner.pin(cpuKHz, gpuHz, null);
    }

    @Test
    void eachVirtualBoardIsDiscoveredAsItsRealCounterpart() throws IOException {
        Map<String, String> kinds = Map.of("nano", "jetson-nano", "xavier-nx", "jetson-xavier-nx", "orin-nano", "jetson-orin-nano",
                "orin-nano-super", "jetson-orin-nano");
        for (String name : Boards.NAMES) {
            Path dir = tmp.resolve(name);
            Files.createDirectories(dir);
            try (VirtualBoard b = VirtualBoard.create(Boards.byName(name), dir, true, 1, true).attach(clock)) {
                Board found = BoardDiscovery.discover(SysRoot.of(dir));
                assertEquals(kinds.get(name), found.identity().kind());
                assertEquals(Boards.byName(name).cpu().clusters().size(), found.cpuPolicies().size());
                assertEquals(Boards.byName(name).gpu().frequenciesHz(), found.gpu().orElseThrow().frequenciesHz());
                assertTrue(found.totalRail().isPresent(), name + " has a total rail");
                assertEquals(3, found.rails().size());
                assertTrue(found.emc().orElseThrow().lockable());
            }
        }
        // the layouts differ as on real boards
        Board nano = BoardDiscovery.discover(SysRoot.of(tmp.resolve("nano")));
        assertEquals(Emc.Interface.T210_OVERRIDE, nano.emc().orElseThrow().kind());
        assertTrue(nano.rails().get(0).reading() instanceof PowerRail.PowerFile, "JetPack 4: IIO power files");
        Board nx = BoardDiscovery.discover(SysRoot.of(tmp.resolve("xavier-nx")));
        assertEquals(List.of("policy0", "policy2", "policy4"), nx.cpuPolicies().stream().map(CpuPolicy::name).toList());
        assertTrue(nx.rails().get(0).reading() instanceof PowerRail.VoltageCurrent, "JetPack 5: hwmon");
        Board orin = BoardDiscovery.discover(SysRoot.of(tmp.resolve("orin-nano")));
        assertEquals(null, orin.thermalZones().get(2).tempC(), "cv0-thermal is offline");
    }

    @Test
    void pinnedClocksAreWhatTheBoardRunsAtAndReadsBack() throws Exception {
        open("nano", false);
        pin(825600, 460800000L);
        try (SimulatedWorkload w = new SimulatedWorkload(vb, "resnet18", clock)) {
            w.runOnce();
            clock.sleep(Duration.ofSeconds(1));
        }
        assertEquals(825600, vb.clocks()[0]);
        assertEquals(460800000L, vb.clocks()[1]);
        assertEquals("825600", read("sys/devices/system/cpu/cpufreq/policy0/cpuinfo_cur_freq"));
        assertEquals("460800000", read("sys/devices/57000000.gpu/devfreq/57000000.gpu/cur_freq"));
    }

    @Test
    void restoreGivesEveryKnobBackIncludingWhatTheKernelRegenerates() throws Exception {
        open("xavier-nx", true);
        clock.sleep(Duration.ofSeconds(1));
        Map<String, String> before = knobs();
        pin(729600, 510000000L);
        pinner.pinEmc(800000000L);
        try (SimulatedWorkload w = new SimulatedWorkload(vb, "mobilenet-v2", clock)) {
            for (int i = 0; i < 100; i++) {
                w.runOnce();
            }
        }
        assertEquals(800000000L, vb.clocks()[2]);
        pinner.release();
        clock.sleep(Duration.ofSeconds(1));
        assertEquals(before, knobs());
    }

    /** Governors, limits, setspeed and the EMC lock of every domain: what joulegov writes and restores. */
    private Map<String, String> knobs() {
        Map<String, String> all = TreeSnapshot.of(tmp.resolve("sys"));
        all.keySet().removeIf(k -> !(k.endsWith("scaling_governor") || k.endsWith("_min_freq") || k.endsWith("_max_freq")
                || k.endsWith("scaling_setspeed") || k.endsWith("/governor") || k.endsWith("/min_freq")
                || k.endsWith("/max_freq") || k.endsWith("mrq_rate_locked")));
        return all;
    }

    @Test
    void heatThrottlesTheClocksWhileThePinsStayInTheFiles() throws Exception {
        open("nano", false);
        pin(1479000, 921600000L);
        vb.disturb(Disturbance.THERMAL, clock.nanoTime(), Long.MAX_VALUE);
        try (SimulatedWorkload w = new SimulatedWorkload(vb, "resnet18", clock)) {
            long end = clock.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (clock.nanoTime() < end) {
                w.runOnce();
            }
        }
        assertTrue(vb.temperature("CPU-therm") > 95, "hot: " + vb.temperature("CPU-therm"));
        long gpuNow = Long.parseLong(read("sys/devices/57000000.gpu/devfreq/57000000.gpu/cur_freq"));
        assertTrue(gpuNow < 921600000L, "throttled GPU reads back " + gpuNow);
        assertEquals("921600000", read("sys/devices/57000000.gpu/devfreq/57000000.gpu/min_freq"), "the pin is untouched");
        assertTrue(Long.parseLong(read("sys/devices/system/cpu/cpufreq/policy0/cpuinfo_cur_freq")) < 1479000);
        assertEquals("1479000", read("sys/devices/system/cpu/cpufreq/policy0/scaling_setspeed"));
    }

    @Test
    void theFiveWattModeCapsTheClocksAsNvpmodelDoes() throws Exception {
        open("nano", false);
        vb.setPowerMode(1);
        try (SimulatedWorkload w = new SimulatedWorkload(vb, "resnet18", clock)) {
            for (int i = 0; i < 200; i++) {
                w.runOnce();
            }
        }
        assertEquals("918000", read("sys/devices/system/cpu/cpufreq/policy0/scaling_max_freq"));
        assertEquals("640000000", read("sys/devices/57000000.gpu/devfreq/57000000.gpu/max_freq"));
        assertTrue(vb.clocks()[0] <= 825600, "CPU under the 918 MHz cap: " + vb.clocks()[0]);
        assertTrue(vb.clocks()[1] <= 614400000L, "GPU under the 640 MHz cap: " + vb.clocks()[1]);
        assertEquals("0", read("sys/devices/system/cpu/cpu3/online"));
        assertEquals(1, BoardDiscovery.discover(SysRoot.of(tmp)).identity().powerMode());
        vb.setPowerMode(0);
        assertEquals("1479000", read("sys/devices/system/cpu/cpufreq/policy0/scaling_max_freq"));
    }

    @Test
    void aCoRunnerSlowsTheCpuPartOfEachInference() throws Exception {
        open("nano", false);
        pin(1479000, 921600000L);
        try (SimulatedWorkload w = new SimulatedWorkload(vb, "mobilenet-v2", clock)) {
            meanLatencyMs(w, 10);
            double alone = meanLatencyMs(w, 100);
            vb.disturb(Disturbance.CPU_CONTENTION, clock.nanoTime(), Long.MAX_VALUE);
            double contended = meanLatencyMs(w, 100);
            double cpuMs = Boards.nano().workload("mobilenet-v2").cpuMs();
            assertEquals(alone + cpuMs * (1 / (1 - Disturbance.CONTENTION_SHARE) - 1), contended, 0.01);
        }
    }

    private double meanLatencyMs(SimulatedWorkload w, int n) throws InterruptedException {
        long start = clock.nanoTime();
        for (int i = 0; i < n; i++) {
            w.runOnce();
        }
        return (clock.nanoTime() - start) / 1e6 / n;
    }

    interface Run {
        void run() throws InterruptedException;
    }

    private double meanWatts(Run run) throws InterruptedException {
        double joules = vb.energyJoules();
        long start = clock.nanoTime();
        run.run();
        return (vb.energyJoules() - joules) / ((clock.nanoTime() - start) / 1e9);
    }

    @Test
    void rerunsOnANoisyBoardDifferByAFewPercent() throws Exception {
        open("nano", true);
        pin(921600, 768000000L);
        DescriptiveStatistics energy = new DescriptiveStatistics();
        DescriptiveStatistics latency = new DescriptiveStatistics();
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
             SimulatedWorkload w = new SimulatedWorkload(vb, "alexnet", clock)) {
            for (int run = 0; run < 10; run++) {
                EnergyWindow window = sampler.openWindow("run");
                double ms = meanLatencyMs(w, 400);
                EnergyReading r = window.end();
                energy.addValue(r.joules() / 400);
                latency.addValue(ms);
                clock.sleep(Duration.ofSeconds(20));
            }
        }
        double energyCov = energy.getStandardDeviation() / energy.getMean();
        double latencyCov = latency.getStandardDeviation() / latency.getMean();
        assertTrue(energyCov > 0.002 && energyCov < 0.05, "energy CoV " + energyCov);
        assertTrue(latencyCov > 0.002 && latencyCov < 0.05, "latency CoV " + latencyCov);
    }

    @Test
    void anIdleBoardUnderItsDefaultGovernorsDropsItsClocksAndItsPower() throws Exception {
        open("nano", false);
        try (SimulatedWorkload w = new SimulatedWorkload(vb, "resnet18", clock)) {
            double busyWatts = meanWatts(() -> {
                for (int i = 0; i < 100; i++) {
                    w.runOnce();
                }
            });
            clock.sleep(Duration.ofSeconds(2));
            assertEquals(102000, vb.clocks()[0], "schedutil goes to the bottom");
            assertEquals(76800000L, vb.clocks()[1], "podgov goes to the bottom");
            double idleWatts = meanWatts(() -> clock.sleep(Duration.ofSeconds(2)));
            assertTrue(idleWatts < busyWatts / 3, "idle " + idleWatts + " W vs busy " + busyWatts + " W");
        }
    }
}
