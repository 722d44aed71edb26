package io.joulegov.policies.online;

import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two models side by side, driven through the controller on a small plant: a CPU-bound model whose own cheapest point
 * is a high CPU clock with a low GPU clock, a GPU-bound one whose own is the reverse. The per-clock maximum of their
 * choices holds both clocks high; a middle point keeps both budgets for far less.
 */
class GovernedMixTest {

    static final long[] CPU = {1_000_000, 2_000_000, 3_000_000};
    static final long[] GPU = {100_000_000, 200_000_000, 300_000_000};
    static final OperatingPoint MIDDLE = OperatingPoint.of(CPU[1], GPU[1]);
    static final double BUDGET_MS = 31;
    static final double RATE = 5;
    static final double IDLE_W = 1;

    /** Mean latency {@code cpuMs / c + gpuMs / g}, energy {@code cpuJ c^2 + gpuJ g^2}, clocks counted 1 to 3. */
    static ProfileTable profile(String model, double cpuMs, double gpuMs, double cpuJ, double gpuJ) {
        List<Measurement> rows = new ArrayList<>();
        for (int c = 1; c <= 3; c++) {
            for (int g = 1; g <= 3; g++) {
                double ms = cpuMs / c + gpuMs / g;
                double joules = cpuJ * c * c + gpuJ * g * g;
                rows.add(new Measurement(OperatingPoint.of(CPU[c - 1], GPU[g - 1]), ms, ms, ms * 1.059, ms * 1.085,
                        joules, joules / ms * 1e3, 0.01, 100, null, Measurement.Source.MEASURED, IDLE_W));
            }
        }
        ProfileKey key = new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(), model,
                "00000000", 1, List.of(), "test", 1, 1, 100, 10, 100, ProfileKey.VIRTUAL);
        return new ProfileTable(key, rows);
    }

    static final ProfileTable CPU_BOUND = profile("cpu-bound", 30, 15, 0.01, 0.03);
    static final ProfileTable GPU_BOUND = profile("gpu-bound", 15, 30, 0.03, 0.01);

    /**
     * The board: each inference runs at the point held when it began, its latency its profile's stretched by the other
     * model's busy share at that point times {@code contention}, with 3.5% lognormal jitter; the board's energy the
     * profile's busy energy and idle power times {@code powerFactor}, told every 100 ms.
     */
    static final class Board {
        final OnlineController controller;
        final Map<String, ProfileTable> profiles = new HashMap<>();
        final Random random = new Random(7);
        double contention = 1;
        double powerFactor = 1;
        final Map<String, long[]> missesAndCount = new HashMap<>();
        final Map<OperatingPoint, Long> heldNanos = new HashMap<>();
        double joules;
        double busyExcess;
        long now;

        Board(ControllerSettings settings) {
            this(settings, List.of());
        }

        /** A board whose controller starts from what was learned of mixes before. */
        Board(ControllerSettings settings, List<LearnedMix> learned) {
            controller = new OnlineController(settings);
            controller.rememberMixes(learned);
            for (ProfileTable t : List.of(CPU_BOUND, GPU_BOUND)) {
                profiles.put(t.key().model(), t);
                controller.register(t.key().model(), t, new Budget.Millis(BUDGET_MS), Percentile.P99, 0);
            }
        }

        record Event(long at, int kind, String model, double ms) {
        }

        /** Runs {@code models} at {@link #RATE} each (Poisson) for {@code seconds}; energy over the run (J). */
        double run(double seconds, List<String> models) {
            missesAndCount.clear();
            heldNanos.clear();
            joules = 0;
            PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
            long end = now + Math.round(seconds * 1e9);
            for (String m : models) {
                events.add(new Event(now + gap(), 0, m, 0));
            }
            for (long t = now + 100_000_000L; t <= end; t += 100_000_000L) {
                events.add(new Event(t, 2, null, 0));
            }
            OperatingPoint held = controller.decide(now).point();
            long heldFrom = now;
            while (!events.isEmpty()) {
                Event e = events.poll();
                now = e.at();
                if (e.kind() == 0 && now < end) {
                    controller.begin(e.model(), now);
                    OperatingPoint p = controller.decide(now).point();
                    heldNanos.merge(held, now - heldFrom, Long::sum);
                    held = p;
                    heldFrom = now;
                    ProfileTable other = profiles.get(e.model().equals("cpu-bound") ? "gpu-bound" : "cpu-bound");
                    double stretch = models.size() > 1 ? 1 + contention * RATE * other.at(p).orElseThrow().meanMs() / 1e3 : 1;
                    Measurement row = profiles.get(e.model()).at(p).orElseThrow();
                    double ms = row.meanMs() * stretch * Math.exp(0.035 * random.nextGaussian());
                    busyExcess += row.energyJ() - IDLE_W * row.meanMs() / 1e3;
                    events.add(new Event(now + Math.round(ms * 1e6), 1, e.model(), ms));
                    events.add(new Event(now + gap(), 0, e.model(), 0));
                } else if (e.kind() == 1) {
                    controller.observe(e.model(), now, e.ms());
                    long[] mc = missesAndCount.computeIfAbsent(e.model(), k -> new long[2]);
                    mc[0] += e.ms() > BUDGET_MS ? 1 : 0;
                    mc[1]++;
                } else if (e.kind() == 2) {
                    double j = powerFactor * (IDLE_W * 0.1 + busyExcess);
                    busyExcess = 0;
                    joules += j;
                    controller.observeMixEnergy(now - 100_000_000L, now, j, held);
                    OperatingPoint p = controller.decide(now).point();
                    heldNanos.merge(held, now - heldFrom, Long::sum);
                    held = p;
                    heldFrom = now;
                }
            }
            now = end;
            return joules;
        }

        private long gap() {
            return Math.round(-Math.log(1 - random.nextDouble()) / RATE * 1e9);
        }

        double missRate(String model) {
            long[] mc = missesAndCount.get(model);
            return (double) mc[0] / mc[1];
        }

        /** The point held longest in the last run. */
        OperatingPoint mostlyHeld() {
            return heldNanos.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        }
    }

    static final List<String> BOTH = List.of("cpu-bound", "gpu-bound");

    @Test
    void eachModelAloneHoldsItsOwnCheapestPoint() {
        Board cpu = new Board(ControllerSettings.defaults());
        cpu.run(30, List.of("cpu-bound"));
        assertEquals(OperatingPoint.of(CPU[2], GPU[0]), cpu.mostlyHeld());
        Board gpu = new Board(ControllerSettings.defaults());
        gpu.run(30, List.of("gpu-bound"));
        assertEquals(OperatingPoint.of(CPU[0], GPU[2]), gpu.mostlyHeld());
    }

    @Test
    void twoModelsAtOnceAreHeldAtTheMixsCheapestPointThatKeepsBothBudgets() {
        Board max = new Board(ControllerSettings.defaults().withMaxOfSingles());
        double maxJ = max.run(120, BOTH);
        Board joint = new Board(ControllerSettings.defaults());
        double jointJ = joint.run(120, BOTH);
        assertEquals(MIDDLE, joint.mostlyHeld());
        assertTrue(jointJ < 0.8 * maxJ, jointJ + " J jointly against " + maxJ + " J at the per-clock maximum");
        for (String m : BOTH) {
            assertTrue(joint.missRate(m) <= 0.01, m + " missed " + joint.missRate(m));
        }
        assertEquals("cpu-bound+gpu-bound", joint.controller.mixStatus(joint.now).members());
    }

    @Test
    void aMemberThatRunsAloneAgainGoesBackToItsOwnPoint() {
        Board b = new Board(ControllerSettings.defaults());
        b.run(60, BOTH);
        assertNotNull(b.controller.mixStatus(b.now));
        b.run(30, List.of("cpu-bound"));
        assertNull(b.controller.mixStatus(b.now));
        assertEquals(OperatingPoint.of(CPU[2], GPU[0]), b.mostlyHeld());
    }

    @Test
    void contentionStrongerThanThePriorAssumesIsLearnedAndTheBudgetsKept() {
        Board b = new Board(ControllerSettings.defaults());
        b.contention = 4; // at the middle point each stretched 1.45x, not 1.11x: both miss there
        b.run(60, BOTH);
        b.run(120, BOTH);
        assertTrue(!b.mostlyHeld().equals(MIDDLE), "held " + b.mostlyHeld());
        for (String m : BOTH) {
            assertTrue(b.missRate(m) <= 0.01, m + " missed " + b.missRate(m));
        }
    }

    @Test
    void aMixRunAgainStartsFromWhatWasLearnedOfItBefore() {
        Board before = new Board(ControllerSettings.defaults());
        before.powerFactor = 1.25;
        before.run(180, BOTH);
        List<LearnedMix> learned = before.controller.learnedMixes(before.now);
        assertEquals(List.of(BOTH), learned.stream().map(LearnedMix::members).toList());
        assertTrue(learned.get(0).points().stream().anyMatch(p -> p.point().equals(MIDDLE) && p.windows() > 20), "" + learned);

        Board again = new Board(ControllerSettings.defaults(), learned);
        again.powerFactor = 1.25;
        again.run(4, BOTH);
        Board fresh = new Board(ControllerSettings.defaults());
        fresh.powerFactor = 1.25;
        fresh.run(4, BOTH);
        // four seconds in, before any energy window of its own: what it predicts is what it learned before
        OnlineController.MixStatus s = again.controller.mixStatus(again.now);
        assertEquals(0, s.windowsLearned());
        assertEquals(MIDDLE, s.point());
        assertEquals(1.25, s.predictedWatts() / s.profileWatts(), 0.05, "the board draws 1.25x what the profiles say");
        OnlineController.MixStatus f = fresh.controller.mixStatus(fresh.now);
        assertEquals(1, f.predictedWatts() / f.profileWatts(), 0.02, "a new mix starts from its profiles");
    }

    @Test
    void theMixsPowerIsLearnedFromTheBoardsEnergy() {
        Board b = new Board(ControllerSettings.defaults());
        b.powerFactor = 1.25;
        b.run(60, BOTH);
        double joules = b.run(120, BOTH);
        OnlineController.MixStatus s = b.controller.mixStatus(b.now);
        assertTrue(s.windowsLearned() >= 20, s.windowsLearned() + " windows");
        double measuredW = joules / 120;
        assertEquals(measuredW, s.predictedWatts(), 0.05 * measuredW, "predicted at " + s.point());
    }
}
