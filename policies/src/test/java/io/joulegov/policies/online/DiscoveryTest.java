package io.joulegov.policies.online;

import io.joulegov.policies.online.OnlineControllerTest.Plant;
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
}
