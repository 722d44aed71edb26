package io.joulegov.policies.online;

import io.joulegov.policies.online.OnlineControllerTest.Plant;
import io.joulegov.policies.online.OnlineControllerTest.Slowdown;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.testing.SyntheticProfiles;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model registered without a profile, on a synthetic board whose truth is a profile the controller never sees. */
class DiscoveryTest {

    static final ProfileTable TRUTH = SyntheticProfiles.nanoLike(1);
    static final OperatingPoint FASTEST = OperatingPoint.of(1479000, 921600000);

    static ProfileKey toLearn() {
        return new ProfileKey("jetson-nano", null, null, "unit-7", Arrays.stream(SyntheticProfiles.CPU).boxed().toList(),
                Arrays.stream(SyntheticProfiles.GPU).boxed().toList(), List.of(), "m", "", 1, List.of(), "unknown", 0, 0, 0, 0,
                0, ProfileKey.MEASURED);
    }

    @Test
    void withNoProfileItStartsAtTheFastestPointAndSettlesNearTheCheapestPointThatKeepsTheBudget() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.registerUnprofiled("m", toLearn(), new Budget.Slowdown(1.4), Percentile.P95, 0);
        assertEquals(FASTEST, c.pointOf("m"));
        Plant plant = new Plant(c, TRUTH);
        plant.energyOf = p -> 1;
        double budgetMs = 1.4 * TRUTH.at(FASTEST).orElseThrow().p95Ms();
        plant.run("m", 6000, budgetMs, (p, now) -> 1); // about 90 s of board time
        ProfileTable learned = c.discoveredProfile("m");
        assertNotNull(learned, "it has learned a profile");
        assertEquals(TRUTH.rows().size(), learned.rows().size(), "the learned profile covers the grid");
        long measured = learned.rows().stream().filter(m -> m.source() == Measurement.Source.LEARNED).count();
        assertTrue(measured >= 8 && measured <= 16, "measured " + measured + " points, predicted the rest");
        plant.reset();
        plant.run("m", 4000, budgetMs, (p, now) -> 1);
        Measurement oracle = OnlineControllerTest.oracle(TRUTH, budgetMs, m -> 1);
        double perInference = plant.energy / plant.count;
        // within 5% of the cheapest point (ours: 4.2%): its 20-inference measurements are good to a few percent, and the
        // cheapest point keeps the budget by less than the predictions' uncertainty, so it is never tried
        assertTrue(perInference <= oracle.energyJ() * 1.05, "energy " + perInference + " vs the cheapest point's "
                + oracle.energyJ() + " at " + oracle.point() + "; holding " + c.pointOf("m"));
        assertTrue(plant.missRate() <= 0.05, "miss rate " + plant.missRate());
    }

    @Test
    void withAnEmcGridItWalksTheMemoryClockTooAndSettlesNearTheCheapestPointOfTheThreeAxes() {
        ProfileTable truth = SyntheticProfiles.orinLike(1);
        ProfileKey key = new ProfileKey("jetson-orin-nano", null, null, "unit-7", Arrays.stream(SyntheticProfiles.CPU).boxed().toList(),
                Arrays.stream(SyntheticProfiles.GPU).boxed().toList(), Arrays.stream(SyntheticProfiles.EMC).boxed().toList(), "m",
                "", 1, List.of(), "unknown", 0, 0, 0, 0, 0, ProfileKey.MEASURED);
        OperatingPoint fastest = new OperatingPoint(1479000, 921600000, 3199000000L);
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.registerUnprofiled("m", key, new Budget.Slowdown(1.4), Percentile.P95, 0);
        assertEquals(fastest, c.pointOf("m"));
        Plant plant = new Plant(c, truth);
        plant.energyOf = p -> 1;
        double budgetMs = 1.4 * truth.at(fastest).orElseThrow().p95Ms();
        plant.run("m", 8000, budgetMs, (p, now) -> 1);
        ProfileTable learned = c.discoveredProfile("m");
        assertNotNull(learned, "it has learned a profile");
        assertEquals(truth.rows().size(), learned.rows().size(), "the learned profile covers the three-axis grid");
        List<Measurement> measured = learned.rows().stream().filter(m -> m.source() == Measurement.Source.LEARNED).toList();
        assertTrue(measured.stream().anyMatch(m -> m.point().emcHz() < fastest.emcHz()), "it measured a lower EMC rate");
        assertTrue(measured.size() <= truth.rows().size() / 4, "measured " + measured.size() + " of " + truth.rows().size());
        plant.reset();
        plant.run("m", 4000, budgetMs, (p, now) -> 1);
        Measurement oracle = OnlineControllerTest.oracle(truth, budgetMs, m -> 1);
        double perInference = plant.energy / plant.count;
        assertTrue(perInference <= oracle.energyJ() * 1.05, "energy " + perInference + " vs the cheapest point's "
                + oracle.energyJ() + " at " + oracle.point() + "; holding " + c.pointOf("m"));
        assertTrue(plant.missRate() <= 0.05, "miss rate " + plant.missRate());
    }

    @Test
    void theWalkKeepsTheBudgetWhileItLearns() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.registerUnprofiled("m", toLearn(), new Budget.Slowdown(1.4), Percentile.P95, 0);
        Plant plant = new Plant(c, TRUTH);
        plant.energyOf = p -> 1;
        double budgetMs = 1.4 * TRUTH.at(FASTEST).orElseThrow().p95Ms();
        while (c.discoveredProfile("m") == null && plant.count < 20000) {
            plant.run("m", 1, budgetMs, (p, now) -> 1);
        }
        assertNotNull(c.discoveredProfile("m"));
        assertTrue(plant.missRate() <= 0.05, "miss rate while learning " + plant.missRate() + " over " + plant.count);
    }

    @Test
    void aBudgetThatEvenTheFastestPointMissesIsReportedAndTheFastestPointHeld() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        double fastestMs = TRUTH.at(FASTEST).orElseThrow().meanMs();
        c.registerUnprofiled("m", toLearn(), new Budget.Millis(fastestMs * 0.8), Percentile.P95, 0);
        Plant plant = new Plant(c, TRUTH);
        plant.energyOf = p -> 1;
        plant.run("m", 2000, fastestMs * 0.8, (p, now) -> 1);
        assertTrue(c.infeasible("m"));
        assertEquals(FASTEST, c.decide(plant.now).point());
        assertNull(c.discoveredProfile("m"), "nothing is learned for a budget it cannot keep");
    }

    @Test
    void whileAnotherModelRunsItWaitsAtTheFastestPointAndLearnsOnceAlone() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("other", SyntheticProfiles.nanoLike(2), new Budget.Slowdown(1.4), Percentile.P95, 0);
        c.registerUnprofiled("m", toLearn(), new Budget.Slowdown(1.4), Percentile.P95, 0);
        Plant plant = new Plant(c, TRUTH);
        plant.energyOf = p -> 1;
        double budgetMs = 1.4 * TRUTH.at(FASTEST).orElseThrow().p95Ms();
        for (int i = 0; i < 3000; i++) {
            plant.run("m", 1, budgetMs, (p, now) -> 1);
            c.begin("other", plant.now);
            c.observe("other", plant.now, 20);
        }
        assertEquals(FASTEST, c.pointOf("m"), "the board held more than it asked for: what it measured was not its own");
        assertFalse(Double.isFinite(c.budgetMsOf("m")), "not even its fastest point is known yet");
        c.unregister("other");
        plant.run("m", 6000, budgetMs, (p, now) -> 1);
        assertNotNull(c.discoveredProfile("m"), "alone, it learns");
    }

    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;

    @Test
    void aModelWhoseBudgetTheFastestPointMissesKeepsFewSamplesAtAThousandInferencesASecondAndLearnsOnOnceTheCauseEnded() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.registerUnprofiled("m", toLearn(), new Budget.Millis(10), Percentile.P99, 0);
        java.util.Random random = new java.util.Random(7);
        long now = 0;
        long keptAtMinute1 = -1;
        for (int i = 1; i <= 600_000; i++) { // ten minutes, one inference a millisecond, every one 20% over the budget
            now = i * MS;
            c.begin("m", now - MS);
            c.observe("m", now, 12 * Math.exp(0.02 * random.nextGaussian()));
            if (i == 60_000) {
                keptAtMinute1 = c.sizes().samplesKept();
                assertTrue(c.infeasible("m"), "a minute in, it is known to miss");
            }
        }
        long keptAtMinute10 = c.sizes().samplesKept();
        assertTrue(c.infeasible("m"));
        assertEquals(FASTEST, c.pointOf("m"), "held at the fastest point");
        assertTrue(keptAtMinute10 <= keptAtMinute1 && keptAtMinute10 <= 1000,
                "samples kept at minute 1: " + keptAtMinute1 + ", at minute 10: " + keptAtMinute10);
        assertEquals(keptAtMinute10, (long) c.samplesKept("m"));
        assertEquals(1, c.infeasibleEvents("m"), "one episode, however often it was measured again");
        assertEquals(1, c.infeasibleEvents());
        // the cause ended: every inference well within the budget, at any clock
        long ended = now;
        while (now - ended < 60 * SECOND) {
            now += MS;
            c.begin("m", now - MS);
            c.observe("m", now, 6 * Math.exp(0.02 * random.nextGaussian()));
        }
        assertFalse(c.infeasible("m"), "measured again within a retry interval, the budget is met");
        assertTrue(List.of("learning", "governed").contains(c.phaseOf("m")), c.phaseOf("m"));
        assertNotEquals(FASTEST, c.pointOf("m"), "it walks on from the fastest point");
        assertTrue(c.sizes().samplesKept() <= ControllerSettings.defaults().tailSamplesKept(), "" + c.sizes());
    }

    @Test
    void aBudgetMissedAtRegistrationBecauseTheBoardWasThrottledIsGovernedOnceTheBoardChanged() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        double fastestP95 = TRUTH.at(FASTEST).orElseThrow().p95Ms();
        double budgetMs = 1.4 * fastestP95;
        c.registerUnprofiled("m", toLearn(), new Budget.Millis(budgetMs), Percentile.P95, 0);
        Plant plant = new Plant(c, TRUTH);
        plant.energyOf = p -> 1;
        boolean[] throttled = {true};
        Slowdown board = (p, now) -> throttled[0] ? 1.6 : 1; // the throttle makes every point 60% slower
        plant.run("m", 500, budgetMs, board);
        assertTrue(c.infeasible("m"), "throttled, even the fastest point misses " + budgetMs + " ms");
        assertEquals("infeasible", c.phaseOf("m"));
        throttled[0] = false;
        c.boardChanged(plant.now);
        long changed = plant.now;
        while (c.infeasible("m") && plant.count < 2000) {
            plant.run("m", 1, budgetMs, board);
        }
        assertFalse(c.infeasible("m"));
        assertTrue(plant.now - changed < ControllerSettings.defaults().retryNanos(),
                "at once, not at the next retry: " + (plant.now - changed) / 1e9 + " s");
        assertEquals("learning", c.phaseOf("m"));
        plant.run("m", 6000, budgetMs, board);
        assertNotNull(c.discoveredProfile("m"), "it learned its profile");
        assertEquals("governed", c.phaseOf("m"));
        assertEquals(1, c.infeasibleEvents("m"));
    }

    @Test
    void aGovernedModelIsNotAffectedWhenTheBoardChanges() {
        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", TRUTH, new Budget.Slowdown(1.4), Percentile.P95, 0);
        Plant plant = new Plant(c, TRUTH);
        double budgetMs = new Budget.Slowdown(1.4).millis(TRUTH, Percentile.P95);
        plant.run("m", 2000, budgetMs, (p, now) -> 1);
        OperatingPoint held = c.pointOf("m");
        int kept = c.samplesKept("m");
        c.boardChanged(plant.now);
        assertEquals("governed", c.phaseOf("m"));
        assertEquals(held, c.pointOf("m"));
        assertEquals(kept, c.samplesKept("m"));
        assertEquals(0, c.infeasibleEvents());
    }

    @Test
    void aBudgetStillMissedWhenMeasuredAgainStaysInfeasibleAndIsMeasuredAgainLater() {
        OnlineController c = new OnlineController(ControllerSettings.defaults().withRetryNanos(5 * SECOND));
        c.registerUnprofiled("m", toLearn(), new Budget.Millis(10), Percentile.P95, 0);
        long now = 0;
        for (int i = 1; i <= 200; i++) {
            now = i * MS;
            c.observe("m", now, 12);
        }
        assertTrue(c.infeasible("m"));
        int whenFound = c.samplesKept("m");
        now += 5 * SECOND;
        c.observe("m", now, 12); // due: this is the first of the fresh samples
        assertEquals(1, c.samplesKept("m"), "the samples from before are dropped");
        for (int i = 0; i < 200; i++) {
            now += MS;
            c.observe("m", now, 12);
        }
        assertTrue(c.infeasible("m"));
        assertEquals(whenFound, c.samplesKept("m"), "a measurement again keeps what the tail needs, no more");
        assertEquals(1, c.infeasibleEvents("m"));
    }
}
