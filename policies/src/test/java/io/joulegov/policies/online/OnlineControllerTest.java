package io.joulegov.policies.online;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selector;
import io.joulegov.policies.testing.SyntheticProfiles;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The controller driven by synthetic streams of latencies drawn around a profile, with disturbances. */
class OnlineControllerTest {

    static final long[] CPU = SyntheticProfiles.CPU;
    static final long[] GPU = SyntheticProfiles.GPU;
    static final double SIGMA = 0.035; // lognormal jitter: p95 = 1.059 x median, p99 = 1.085 x median

    static ProfileTable profile(double scale) {
        return SyntheticProfiles.nanoLike(scale);
    }

    /**
     * Runs inferences back to back; {@code slowdown} says how much slower than profiled a point is at a time, and
     * {@code effective} which point really runs (a throttle runs a lower clock than the one held). Where
     * {@code energyOf} is set, the board's energy differs from the profile's by that factor per point, and every
     * second in which one point was held the controller is told the energy per inference measured (2% noise), as the
     * governor core does.
     */
    static final class Plant {
        final OnlineController controller;
        final ProfileTable table;
        final Random random = new Random(42);
        java.util.function.UnaryOperator<OperatingPoint> effective = p -> p;
        ToDoubleFunction<OperatingPoint> energyOf;
        long now;
        long misses;
        long count;
        double energy;
        private long intervalFrom = -1;
        private OperatingPoint intervalPoint;
        private double intervalJoules;
        private int intervalCount;

        Plant(OnlineController controller, ProfileTable table) {
            this.controller = controller;
            this.table = table;
        }

        void run(String model, int n, double budgetMs, Slowdown slowdown) {
            for (int i = 0; i < n; i++) {
                controller.begin(model, now);
                OperatingPoint p = effective.apply(controller.decide(now).point());
                Measurement m = table.at(p).orElseThrow();
                double ms = m.meanMs() * slowdown.at(p, now) * Math.exp(SIGMA * random.nextGaussian());
                now += Math.round(ms * 1e6);
                double joules = m.energyJ() * slowdown.at(p, now) * (energyOf == null ? 1 : energyOf.applyAsDouble(p));
                energy += joules;
                if (energyOf != null) {
                    meter(model, p, joules);
                }
                count++;
                if (ms > budgetMs) {
                    misses++;
                }
                controller.observe(model, now, ms);
            }
        }

        private void meter(String model, OperatingPoint p, double joules) {
            if (!p.equals(intervalPoint)) {
                intervalPoint = p;
                intervalFrom = now;
                intervalJoules = 0;
                intervalCount = 0;
                return; // the interval in which the point changed teaches nothing
            }
            intervalJoules += joules;
            intervalCount++;
            if (now - intervalFrom >= 1_000_000_000L) {
                controller.observeEnergy(model, p, intervalJoules / intervalCount * Math.exp(0.02 * random.nextGaussian()),
                        intervalCount, now);
                intervalFrom = now;
                intervalJoules = 0;
                intervalCount = 0;
            }
        }

        void reset() {
            misses = 0;
            count = 0;
            energy = 0;
        }

        double missRate() {
            return (double) misses / count;
        }
    }

    interface Slowdown {
        double at(OperatingPoint p, long now);
    }

    static double budget(ProfileTable t, double slowdown, Percentile q) {
        return new Budget.Slowdown(slowdown).millis(t, q);
    }

    /** The cheapest fixed point whose latency distribution, slowed by {@code factor}, meets the budget. */
    static Measurement oracle(ProfileTable t, double budgetMs, ToDoubleFunction<Measurement> factor) {
        return t.rows().stream().filter(m -> m.p95Ms() * factor.applyAsDouble(m) <= budgetMs)
                .min((a, b) -> Double.compare(a.energyJ() * factor.applyAsDouble(a), b.energyJ() * factor.applyAsDouble(b)))
                .orElseThrow();
    }

    @Test
    void inSteadyConditionsItHoldsTheProfilesChoiceWithinTheAllowance() {
        ProfileTable t = profile(1);
        double b = budget(t, 1.4, Percentile.P95);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(1.4), Percentile.P95, 0);
        Plant plant = new Plant(c, t);
        plant.run("m", 8000, b, (p, now) -> 1);
        Measurement chosen = Selector.select(t, Request.minEnergy(new Budget.Slowdown(1.4), Percentile.P95)).chosen();
        assertEquals(chosen.point(), c.pointOf("m"));
        assertTrue(plant.missRate() <= 0.05, "miss rate " + plant.missRate());
    }

    @Test
    void aThirtyPercentSlowdownMovesItToFasterPointsAndBackWhenItEnds() {
        ProfileTable t = profile(1);
        double b = budget(t, 1.5, Percentile.P95);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(1.5), Percentile.P95, 0);
        Plant plant = new Plant(c, t);
        plant.run("m", 3000, b, (p, now) -> 1);
        OperatingPoint before = c.pointOf("m");
        plant.reset();
        plant.run("m", 1000, b, (p, now) -> 1.3);
        OperatingPoint during = c.pointOf("m");
        assertTrue(t.at(during).orElseThrow().meanMs() < t.at(before).orElseThrow().meanMs(), "moved to a faster point");
        plant.reset();
        plant.run("m", 6000, b, (p, now) -> 1.3);
        assertTrue(plant.missRate() <= 0.05 + 0.005, "adapted miss rate " + plant.missRate());
        Measurement oracle = oracle(t, b, m -> 1.3);
        double perInference = plant.energy / plant.count;
        assertTrue(perInference <= oracle.energyJ() * 1.3 * 1.05, "energy " + perInference + " vs oracle " + oracle.energyJ() * 1.3);
        plant.run("m", 20000, b, (p, now) -> 1);
        assertEquals(before, c.pointOf("m"), "back at the profile's choice once the slowdown is over");
    }

    @Test
    void aThrottleThatTakesTheTopGpuClocksAwayIsLearnedPointByPoint() {
        ProfileTable t = profile(1);
        double b = budget(t, 1.28, Percentile.P95);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(1.28), Percentile.P95, 0);
        Plant plant = new Plant(c, t);
        plant.run("m", 2000, b, (p, now) -> 1);
        long topGpuHeld = c.pointOf("m").gpuHz();
        assertTrue(topGpuHeld >= 844800000L, "a tight budget needs a top GPU clock: " + topGpuHeld);
        // the top two GPU steps now run at 691.2 MHz: a point with them is its 691.2 MHz twin
        plant.effective = p -> p.gpuHz() > 691200000L ? OperatingPoint.of(p.cpuKHz(), 691200000L) : p;
        plant.reset();
        plant.run("m", 3000, b, (p, now) -> 1);
        plant.reset();
        plant.run("m", 5000, b, (p, now) -> 1);
        assertTrue(plant.missRate() <= 0.05 + 0.005, "miss rate under the throttle " + plant.missRate());
        Measurement oracle = t.rows().stream().filter(m -> m.point().gpuHz() <= 691200000L && m.p95Ms() <= b)
                .min((x, y) -> Double.compare(x.energyJ(), y.energyJ())).orElseThrow();
        double perInference = plant.energy / plant.count;
        // the controller moves along the profile's frontier, which need not hold the throttled board's cheapest point
        assertTrue(perInference <= oracle.energyJ() * 1.10, "energy " + perInference + " vs the throttled oracle " + oracle.energyJ());
    }

    @Test
    void onABoardWhoseEnergyDiffersFromTheProfileItLearnsTheCheapestPointThatKeepsTheBudget() {
        ProfileTable t = profile(1);
        double b = budget(t, 1.4, Percentile.P95);
        // this unit draws more static power: slow CPU clocks cost it more than the profile says (staying costs 3.8%)
        ToDoubleFunction<OperatingPoint> unit = p -> Math.pow(p.cpuKHz() / 1479000.0, -0.15);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(1.4), Percentile.P95, 0);
        Plant plant = new Plant(c, t);
        plant.energyOf = unit;
        Measurement profiles = Selector.select(t, Request.minEnergy(new Budget.Slowdown(1.4), Percentile.P95)).chosen();
        Measurement cheapest = t.rows().stream().filter(m -> m.p95Ms() <= b)
                .min((x, y) -> Double.compare(x.energyJ() * unit.applyAsDouble(x.point()), y.energyJ() * unit.applyAsDouble(y.point())))
                .orElseThrow();
        assertNotEquals(profiles.point(), cheapest.point(), "the test needs a unit whose cheapest point is not the profile's");
        plant.run("m", 4000, b, (p, now) -> 1); // about two minutes of board time
        plant.reset();
        plant.run("m", 4000, b, (p, now) -> 1);
        double perInference = plant.energy / plant.count;
        double best = cheapest.energyJ() * unit.applyAsDouble(cheapest.point());
        double stayed = profiles.energyJ() * unit.applyAsDouble(profiles.point());
        assertTrue(perInference <= best * 1.02, "energy " + perInference + " vs this unit's cheapest " + best
                + " (the profile's choice costs " + stayed + ")");
        assertTrue(plant.missRate() <= 0.05, "miss rate " + plant.missRate());
        assertTrue(c.pointsLearned("m") >= 2, "it tried points beyond its start: " + c.pointsLearned("m"));
    }

    @Test
    void aPointThatMissesThreeTimesItsAllowanceIsLeftLongBeforeItsPercentileCanBeObserved() {
        ProfileTable t = profile(1);
        double b = budget(t, 1.3, Percentile.P99);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(1.3), Percentile.P99, 0);
        Measurement start = t.at(c.pointOf("m")).orElseThrow();
        // this board is just slow enough that the start point misses 3% against p99's 1%
        double slower = b / (start.meanMs() * Math.exp(SIGMA * 1.88));
        Plant plant = new Plant(c, t);
        int n = 0;
        while (c.pointOf("m").equals(start.point()) && n < 1000) {
            plant.run("m", 1, b, (p, now) -> slower);
            n++;
        }
        assertTrue(n < 300, "left after " + n + " inferences (a p99 needs 500 to be observed)");
        assertTrue(t.at(c.pointOf("m")).orElseThrow().meanMs() < start.meanMs(), "for a faster point");
    }

    @Test
    void idleGapsGoToTheIdleSettingAndTheNextRequestGetsTheWorkingPointBack() {
        ProfileTable t = profile(1);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(1.3), Percentile.P99, 0);
        Plant plant = new Plant(c, t);
        double b = budget(t, 1.3, Percentile.P99);
        for (int burst = 0; burst < 5; burst++) {
            plant.run("m", 50, b, (p, now) -> 1);
            Decision working = c.decide(plant.now);
            assertEquals("m", working.model());
            plant.now += 2_000_000_000L;
            Decision idle = c.decide(plant.now);
            assertTrue(idle.idle());
            assertEquals(OperatingPoint.of(CPU[0], GPU[0]), idle.point(), "the lowest clocks while idle");
            c.begin("m", plant.now);
            assertEquals(working.point(), c.decide(plant.now).point(), "the working point at the next request");
        }
    }

    @Test
    void withMixesOffTwoModelsEachKeepTheirOwnPointAndTogetherEveryClockAsHighAsEitherNeeds() {
        ProfileTable fast = profile(1);
        ProfileTable slow = profile(2.5);
        // the rule before mixes (compare's max-of-singles); a mix's own decision is GovernedMixTest's
        OnlineController c = new OnlineController(ControllerSettings.defaults().withMaxOfSingles());
        c.register("detector", fast, new Budget.Slowdown(1.1), Percentile.P95, 0);
        c.register("classifier", slow, new Budget.Slowdown(2.0), Percentile.P95, 0);
        Plant a = new Plant(c, fast);
        Plant bPlant = new Plant(c, slow);
        for (int round = 0; round < 20; round++) {
            a.now = Math.max(a.now, bPlant.now) + 1_000_000_000L;
            a.run("detector", 100, budget(fast, 1.1, Percentile.P95), (p, now) -> 1);
            assertEquals(c.pointOf("detector"), c.decide(a.now).point());
            bPlant.now = a.now + 1_000_000_000L;
            bPlant.run("classifier", 100, budget(slow, 2.0, Percentile.P95), (p, now) -> 1);
            assertEquals(c.pointOf("classifier"), c.decide(bPlant.now).point());
        }
        assertNotEquals(c.pointOf("detector"), c.pointOf("classifier"));
        // both at once: every clock as high as either needs
        c.begin("detector", bPlant.now);
        Decision both = c.decide(bPlant.now);
        assertEquals(Math.max(c.pointOf("detector").gpuHz(), c.pointOf("classifier").gpuHz()), both.point().gpuHz());
        assertEquals(Math.max(c.pointOf("detector").cpuKHz(), c.pointOf("classifier").cpuKHz()), both.point().cpuKHz());
        assertTrue(a.missRate() <= 0.055 && bPlant.missRate() <= 0.055, a.missRate() + " " + bPlant.missRate());
    }

    @Test
    void anInfeasibleBudgetIsRefusedAtRegistration() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        InfeasibleException e = org.junit.jupiter.api.Assertions.assertThrows(InfeasibleException.class,
                () -> c.register("m", profile(1), new Budget.Millis(1), Percentile.P95, 0));
        assertTrue(e.getMessage().startsWith("m: no operating point meets 1.00 ms at p95"), e.getMessage());
    }
}
