package io.joulegov.policies.surrogate;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selector;
import io.joulegov.policies.testing.SyntheticProfiles;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SurrogateTest {

    @Test
    void aFewMeasuredPointsPredictTheRestAndTheChoiceHoldsUp() {
        ProfileTable full = SyntheticProfiles.nanoLike(1);
        List<Measurement> rows = new ArrayList<>(full.rows());
        Collections.shuffle(rows, new Random(3));
        // with 2% measurement noise on a third of the grid
        Random noise = new Random(5);
        List<Measurement> measured = rows.subList(0, 12).stream().map(m -> {
            double f = 1 + 0.02 * noise.nextGaussian();
            return new Measurement(m.point(), m.meanMs() * f, m.p50Ms() * f, m.p95Ms() * f, m.p99Ms() * f,
                    m.energyJ() * f, m.powerW(), m.cov(), m.inferences(), null, Measurement.Source.MEASURED);
        }).toList();
        Surrogate s = Surrogate.fit(measured);
        assertTrue(s.latencyError() < 0.12, "held-out latency error " + s.latencyError());
        assertTrue(s.powerError() < 0.12, "held-out power error " + s.powerError());
        List<OperatingPoint> grid = full.rows().stream().map(Measurement::point).toList();
        List<Measurement> filled = s.fill(measured, grid);
        assertEquals(grid.size(), filled.size());
        assertEquals(measured.size(), filled.stream().filter(m -> !m.predicted()).count(), "measured rows win");
        for (double slowdown : new double[] {1.1, 1.3, 1.6}) {
            Request r = Request.minEnergy(new Budget.Slowdown(slowdown), Percentile.P95);
            Measurement truth = Selector.select(full, r).chosen();
            Measurement pick = Selector.select(new ProfileTable(full.key(), filled), r).chosen();
            Measurement real = full.at(pick.point()).orElseThrow();
            assertTrue(real.energyJ() <= truth.energyJ() * 1.05, slowdown + ": " + real.energyJ() + " vs " + truth.energyJ());
        }
    }

    @Test
    void straddlingTheBudgetIsDetected() {
        ProfileTable full = SyntheticProfiles.nanoLike(1);
        Surrogate s = Surrogate.fit(full.rows());
        double e = s.latencyError();
        assertTrue(s.straddles(100, 100));
        assertFalse(s.straddles(100, 100 * (1 + e) + 1));
        assertFalse(s.straddles(100, 100 * (1 - e) - 1));
    }
}
