package io.joulegov.policies.select;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectorTest {

    static ProfileKey key() {
        return new ProfileKey("jetson-nano", "32.7.1", 0, null, List.of(), List.of(), List.of(), "m", "00000000", 1,
                List.of(), "test", 1, 1, 10, 1, 100, ProfileKey.IMPORTED);
    }

    /** A random table: a CPU x GPU (x EMC) grid with random latencies, tails and energies, some of them tied. */
    static ProfileTable randomTable(Random r) {
        List<Measurement> rows = new ArrayList<>();
        int cpus = 1 + r.nextInt(6);
        int gpus = 1 + r.nextInt(6);
        int emcs = r.nextBoolean() ? 0 : 1 + r.nextInt(3);
        for (int c = 0; c < cpus; c++) {
            for (int g = 0; g < gpus; g++) {
                for (int e = 0; e <= Math.max(0, emcs - 1); e++) {
                    double mean = 5 + r.nextInt(40) * (r.nextBoolean() ? 1 : 0.5);
                    double p50 = mean * (0.9 + 0.1 * r.nextDouble());
                    double p95 = mean * (1 + 0.3 * r.nextDouble());
                    double p99 = p95 * (1 + 0.2 * r.nextDouble());
                    double energy = 0.01 * (1 + r.nextInt(30));
                    rows.add(new Measurement(new OperatingPoint(100000L * (c + 1), 100000000L * (g + 1),
                            emcs == 0 ? null : 400000000L * (e + 1)), mean, p50, p95, p99, energy, energy / (mean / 1e3),
                            0, 100, null, Measurement.Source.MEASURED));
                }
            }
        }
        return new ProfileTable(key(), rows);
    }

    /** The same choice, made the slow and obvious way. */
    static Optional<Measurement> bruteForce(ProfileTable t, Request req) {
        Percentile q = req.percentile();
        double budget = req.budget() == null ? Double.POSITIVE_INFINITY : req.budget().millis(t, q);
        double maxPower = t.rows().stream().mapToDouble(Measurement::powerW).max().orElseThrow();
        return t.rows().stream()
                .filter(m -> q.of(m) <= budget)
                .filter(m -> req.objective() != Objective.POWER_CAP || m.powerW() <= req.watts())
                .min(Comparator.<Measurement>comparingDouble(m -> switch (req.objective()) {
                            case MIN_ENERGY -> m.energyJ();
                            case MIN_EDP -> m.energyJ() * (m.meanMs() / 1e3);
                            case MIN_ED2P -> m.energyJ() * (m.meanMs() / 1e3) * (m.meanMs() / 1e3);
                            case ZEUS -> req.eta() * m.energyJ() + (1 - req.eta()) * maxPower * (m.meanMs() / 1e3);
                            case POWER_CAP, PERFORMANCE -> q.of(m);
                        })
                        .thenComparingDouble(Measurement::energyJ)
                        .thenComparingDouble(q::of)
                        .thenComparing(Measurement::point));
    }

    @Test
    void everyPolicyPicksWhatBruteForcePicksOnRandomTables() {
        Random r = new Random(2026);
        for (int i = 0; i < 3000; i++) {
            ProfileTable t = randomTable(r);
            Percentile q = Percentile.values()[r.nextInt(4)];
            Objective objective = Objective.values()[r.nextInt(Objective.values().length)];
            Budget budget = r.nextBoolean() ? new Budget.Slowdown(1 + r.nextDouble())
                    : new Budget.Millis(2 + r.nextInt(60));
            Request req = new Request(objective, budget, q, r.nextDouble(), 0.2 + 3 * r.nextDouble());
            Selection s = Selector.select(t, req);
            assertEquals(bruteForce(t, req).orElse(null), s.chosen(), "table " + i + " " + req);
        }
    }

    @Test
    void theParetoFrontierIsExactlyTheUndominatedPoints() {
        Random r = new Random(7);
        for (int i = 0; i < 500; i++) {
            ProfileTable t = randomTable(r);
            Percentile q = Percentile.values()[r.nextInt(4)];
            List<Measurement> frontier = Selector.paretoFrontier(t, q);
            for (Measurement m : t.rows()) {
                boolean dominated = t.rows().stream().anyMatch(o -> o != m
                        && q.of(o) <= q.of(m) && o.energyJ() <= m.energyJ()
                        && (q.of(o) < q.of(m) || o.energyJ() < m.energyJ()));
                boolean duplicateOfFrontier = frontier.stream().anyMatch(f -> f != m
                        && q.of(f) == q.of(m) && f.energyJ() == m.energyJ());
                if (!dominated && !duplicateOfFrontier) {
                    assertTrue(frontier.contains(m), "undominated point missing from the frontier");
                }
                if (dominated) {
                    assertFalse(frontier.contains(m), "dominated point on the frontier");
                }
            }
            // the min-energy choice under any budget lies on the frontier
            Selection s = Selector.select(t, Request.minEnergy(new Budget.Slowdown(1.3), q));
            assertTrue(frontier.stream().anyMatch(f -> q.of(f) == q.of(s.chosen()) && f.energyJ() == s.chosen().energyJ()));
        }
    }

    @Test
    void aSlowdownIsRelativeToTheFastestPointAtThePercentile() {
        ProfileTable t = new ProfileTable(key(), List.of(
                row(1, 10, 12, 0.50), row(2, 13, 16, 0.40), row(3, 14, 19, 0.30)));
        Selection p95 = Selector.select(t, Request.minEnergy(new Budget.Slowdown(1.4), Percentile.P95));
        assertEquals(12 * 1.4, p95.budgetMs(), 1e-9);
        assertEquals(2, p95.chosen().point().cpuKHz(), "p95 16 <= 16.8, p95 19 is not");
        Selection mean = Selector.select(t, Request.minEnergy(new Budget.Slowdown(1.4), Percentile.MEAN));
        assertEquals(3, mean.chosen().point().cpuKHz(), "mean 14 <= 14");
    }

    @Test
    void anInfeasibleBudgetNamesTheFastestPoint() {
        ProfileTable t = new ProfileTable(key(), List.of(row(1, 10, 12, 0.5), row(2, 20, 22, 0.3)));
        Selection s = Selector.select(t, Request.minEnergy(new Budget.Millis(5), Percentile.P95));
        assertFalse(s.feasible());
        assertNull(s.chosen());
        assertEquals(1, s.fastest().point().cpuKHz());
        assertEquals("no operating point meets 5.00 ms at p95; the fastest, CPU 0.0 MHz, GPU 100.0 MHz, takes 12.00 ms",
                s.describe());
    }

    @Test
    void anInfeasibleSelectionIsAnInfeasibleException() {
        ProfileTable t = new ProfileTable(key(), List.of(row(1, 10, 12, 0.5)));
        Selection s = Selector.select(t, Request.minEnergy(new Budget.Millis(5), Percentile.P95));
        assertEquals("m: " + s.describe(), InfeasibleException.of("m", s).getMessage());
        assertEquals(s.describe(), InfeasibleException.of(null, s).getMessage());
        Selection ok = Selector.select(t, Request.minEnergy(new Budget.Millis(50), Percentile.P95));
        assertThrows(IllegalArgumentException.class, () -> InfeasibleException.of("m", ok));
    }

    @Test
    void outOfRangeRequestsSayWhatIsWrongWithoutNamingFlags() {
        for (Runnable bad : List.<Runnable>of(
                () -> new Request(Objective.ZEUS, null, Percentile.MEAN, 2, Double.NaN),
                () -> new Request(Objective.POWER_CAP, null, Percentile.MEAN, 0.5, Double.NaN),
                () -> Budget.of(0.0, null), () -> Budget.of(null, 0.5), () -> Budget.of(null, null))) {
            String message = assertThrows(IllegalArgumentException.class, bad::run).getMessage();
            assertFalse(message.contains("--"), message);
        }
    }

    @Test
    void powerCapTakesTheFastestPointUnderTheCap() {
        ProfileTable t = new ProfileTable(key(), List.of(row(1, 10, 10, 0.05), row(2, 20, 20, 0.06), row(3, 40, 40, 0.08)));
        // powers: 5 W, 3 W, 2 W
        Selection s = Selector.select(t, new Request(Objective.POWER_CAP, null, Percentile.MEAN, 0.5, 3.5));
        assertEquals(2, s.chosen().point().cpuKHz());
        Selection perf = Selector.select(t, new Request(Objective.PERFORMANCE, null, Percentile.MEAN, 0.5, Double.NaN));
        assertEquals(1, perf.chosen().point().cpuKHz());
    }

    private static Measurement row(long cpu, double mean, double p95, double energy) {
        return new Measurement(OperatingPoint.of(cpu, 100000000L), mean, mean, p95, p95, energy, energy / (mean / 1e3),
                0, 100, null, Measurement.Source.MEASURED);
    }
}
