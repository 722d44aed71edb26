package io.joulegov.simulator.board;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several workloads on one virtual board at once (issue 28): what each costs the other, and what the board draws. */
class SideBySideTest {

    @TempDir
    Path tmp;

    /** Mean latency (ms) of each workload, and board power (W), running them side by side for 20 s at the top clocks. */
    private record Run(double[] latencyMs, double watts) {
    }

    private Run run(String board, List<String> workloads, Path dir) throws Exception {
        return run(board, List.of(), workloads, dir);
    }

    /** As {@link #run(String, List, Path)}, after {@code before} ran side by side for 5 s and the board idled 12 s. */
    private Run run(String board, List<String> before, List<String> workloads, Path dir) throws Exception {
        VirtualClock clock = new VirtualClock(VirtualJetson.EPOCH);
        try (VirtualBoard vb = VirtualBoard.create(Boards.byName(board), dir, true, 5, false).attach(clock)) {
            Board b = BoardDiscovery.discover(SysRoot.of(dir));
            ClockPinner pinner = new ClockPinner(b, RestoreJournal.open(b.root(), RestoreJournal.defaultFile(b.root())));
            List<Long> cpus = b.cpuPolicies().get(0).frequenciesKHz();
            List<Long> gpus = b.gpu().orElseThrow().frequenciesHz();
            pinner.pin(cpus.get(cpus.size() - 1), gpus.get(gpus.size() - 1), null);
            clock.sleep(Duration.ofSeconds(1));
            if (!before.isEmpty()) {
                side(vb, clock, before, clock.nanoTime() + 5_000_000_000L, new double[before.size()]);
                clock.sleep(Duration.ofSeconds(12));
            }
            long from = clock.nanoTime();
            long until = from + 20_000_000_000L;
            double joulesBefore = vb.energyJoules();
            double[] latency = new double[workloads.size()];
            side(vb, clock, workloads, until, latency);
            double watts = (vb.energyJoules() - joulesBefore) / ((clock.nanoTime() - from) / 1e9);
            pinner.release();
            return new Run(latency, watts);
        } finally {
            clock.unregister();
        }
    }

    /** Runs {@code workloads} back to back side by side until {@code until}; each one's mean latency into {@code latency}. */
    private static void side(VirtualBoard vb, VirtualClock clock, List<String> workloads, long until, double[] latency)
            throws InterruptedException {
        long from = clock.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workloads.size(); i++) {
            int k = i;
            SimulatedWorkload w = new SimulatedWorkload(vb, workloads.get(i), clock);
            threads.add(clock.newThread(workloads.get(i), () -> {
                int n = 0;
                try {
                    while (clock.nanoTime() < until) {
                        w.runOnce();
                        n++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                latency[k] = (clock.nanoTime() - from) / 1e6 / n;
            }));
        }
        threads.forEach(Thread::start);
        clock.sleepUntil(until);
        for (Thread t : threads) {
            clock.join(t, Duration.ofMinutes(1));
        }
    }

    @Test
    void twoWorkloadsSideBySideSlowEachOtherByWhatTheyShareAndTheBoardDrawsLessThanBothAlone() throws Exception {
        Run detector = run("nano", List.of("yolov4-tiny"), tmp.resolve("a"));
        Run classifier = run("nano", List.of("resnet18"), tmp.resolve("b"));
        Run both = run("nano", List.of("yolov4-tiny", "resnet18"), tmp.resolve("c"));
        // back to back, each keeps the GPU busy half its time or more: time-sliced, each runs at half pace there
        for (int i = 0; i < 2; i++) {
            double alone = (i == 0 ? detector : classifier).latencyMs()[0];
            double stretch = both.latencyMs()[i] / alone;
            assertTrue(stretch > 1.15 && stretch < 2, "stretched " + stretch + "x beside the other");
        }
        double idle = run("nano", List.of(), tmp.resolve("d")).watts();
        assertTrue(both.watts() > Math.max(detector.watts(), classifier.watts()), both.watts() + " W together");
        assertTrue(both.watts() - idle < (detector.watts() - idle) + (classifier.watts() - idle),
                "the static power and the clocks are paid once: " + both.watts() + " W together, " + detector.watts()
                        + " and " + classifier.watts() + " W alone, " + idle + " W idle");
    }

    @Test
    void aWorkloadAloneRunsAsIfNoOtherHadRunSecondsBefore() throws Exception {
        Run fresh = run("xavier-nx", List.of("bert-tiny"), tmp.resolve("a"));
        Run after = run("xavier-nx", List.of("resnet18", "bert-tiny"), List.of("bert-tiny"), tmp.resolve("b"));
        assertEquals(fresh.latencyMs()[0], after.latencyMs()[0], 0, "resnet18, gone 12 s before, is forgotten");
    }

    /** Board power (W) when {@code second}'s inference, begun with a distilbert one, has just ended (none: alone). */
    private double powerAsTheShortOneEnds(String second, long endsAfter, Path dir) {
        VirtualClock clock = new VirtualClock(VirtualJetson.EPOCH);
        try (VirtualBoard vb = VirtualBoard.create(Boards.byName("nano"), dir, true, 5, false).attach(clock)) {
            long t0 = clock.nanoTime();
            vb.beginInference(vb.spec().workload("distilbert"), t0);
            if (second != null) {
                assertEquals(endsAfter, vb.beginInference(vb.spec().workload(second), t0));
            }
            clock.sleepUntil(t0 + endsAfter);
            return vb.watts();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            clock.unregister();
        }
    }

    @Test
    void whenOneOfTwoOverlappingInferencesEndsTheBoardDrawsWhatTheOtherDrawsAlone() throws Exception {
        long bertEnds;
        VirtualClock clock = new VirtualClock(VirtualJetson.EPOCH);
        try (VirtualBoard vb = VirtualBoard.create(Boards.byName("nano"), tmp.resolve("probe"), true, 5, false).attach(clock)) {
            vb.beginInference(vb.spec().workload("distilbert"), 0);
            bertEnds = vb.beginInference(vb.spec().workload("bert-tiny"), 0);
        } finally {
            clock.unregister();
        }
        double together = powerAsTheShortOneEnds("bert-tiny", bertEnds, tmp.resolve("a"));
        double alone = powerAsTheShortOneEnds(null, bertEnds, tmp.resolve("b"));
        assertEquals(alone, together, 1e-9, "bert-tiny's activity ends with its inference");
    }
}
