package io.joulegov.policies.online;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selector;
import io.joulegov.policies.testing.SyntheticProfiles;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests that come at their own pace (a camera's frames) leave the board idle at the point held between them: the
 * controller prices that idle time where the profile measured the board's idle power.
 */
class RequestGapsTest {

    private static final double SLOWDOWN = 1.8;

    /** The Orin-like profile with the board's idle power per point: the memory's grows with its clock. */
    private static ProfileTable withIdlePower() {
        ProfileTable t = SyntheticProfiles.orinLike(1);
        return new ProfileTable(t.key(), t.rows().stream().map(m -> m.withIdleW(idleW(m.point()))).toList());
    }

    private static double idleW(OperatingPoint p) {
        return 1.0 + 0.3 * p.cpuKHz() / 1479000.0 + 0.4 * p.gpuHz() / 921600000.0 + 1.5 * p.emcHz() / 3199000000.0;
    }

    /** Energy per inference on the board, with the idle time until the next request ({@code gapMs} apart). */
    private static double trueCost(Measurement m, double gapMs) {
        return m.energyJ() + m.idleW() * Math.max(0, gapMs - m.meanMs()) / 1e3;
    }

    /**
     * Requests every {@code gapMs} (0: back to back) for {@code seconds}; every second the controller is told the
     * energy per inference measured, idle time included, as the governor core does. Returns the point held at the end.
     */
    private static OperatingPoint run(OnlineController c, ProfileTable t, double gapMs, int seconds) {
        Random random = new Random(7);
        long now = 0;
        long intervalFrom = 0;
        OperatingPoint intervalPoint = null;
        double joules = 0;
        int count = 0;
        while (now < seconds * 1_000_000_000L) {
            c.begin("m", now);
            OperatingPoint p = c.decide(now).point();
            Measurement m = t.at(p).orElseThrow();
            double ms = m.meanMs() * Math.exp(0.035 * random.nextGaussian());
            long end = now + Math.round(ms * 1e6);
            c.observe("m", end, ms);
            long next = Math.max(end, now + Math.round(gapMs * 1e6));
            double j = m.energyJ() + m.idleW() * (next - end) / 1e9;
            if (!p.equals(intervalPoint)) {
                intervalPoint = p;
                intervalFrom = now;
                joules = 0;
                count = 0;
            } else {
                joules += j;
                count++;
                if (next - intervalFrom >= 1_000_000_000L) {
                    c.observeEnergy("m", p, joules / count * Math.exp(0.02 * random.nextGaussian()), count, next);
                    intervalFrom = next;
                    joules = 0;
                    count = 0;
                }
            }
            now = next;
        }
        return c.pointOf("m");
    }

    @Test
    void requestsWithGapsMoveItToThePointThatIsCheapestIdleTimeIncluded() {
        ProfileTable t = withIdlePower();
        double budgetMs = new Budget.Slowdown(SLOWDOWN).millis(t, Percentile.P99);
        double gapMs = 60;
        Measurement busyChoice = Selector.select(t, Request.minEnergy(new Budget.Slowdown(SLOWDOWN), Percentile.P99)).chosen();
        Measurement best = t.rows().stream().filter(m -> m.p99Ms() <= budgetMs * 0.95)
                .min(Comparator.comparingDouble(m -> trueCost(m, gapMs))).orElseThrow();
        assertTrue(trueCost(busyChoice, gapMs) > 1.03 * trueCost(best, gapMs),
                "the test needs gaps that make the profile's own choice dear: " + busyChoice + " vs " + best);

        OnlineController c = new OnlineController(ControllerSettings.defaults());
        c.register("m", t, new Budget.Slowdown(SLOWDOWN), Percentile.P99, 0);
        Measurement held = t.at(run(c, t, gapMs, 120)).orElseThrow();

        assertTrue(trueCost(held, gapMs) <= 1.01 * trueCost(best, gapMs),
                "held " + held.point() + " at " + trueCost(held, gapMs) + " J, the cheapest " + best.point() + " at "
                        + trueCost(best, gapMs) + " J, the profile's own choice " + trueCost(busyChoice, gapMs) + " J");
        assertTrue(held.p99Ms() <= budgetMs, "it keeps the budget: " + held.p99Ms() + " ms against " + budgetMs);
    }

    @Test
    void requestsBackToBackLeaveNoGapToPriceAndItDecidesAsWithoutIdlePower() {
        ProfileTable t = withIdlePower();
        OnlineController priced = new OnlineController(ControllerSettings.defaults());
        priced.register("m", t, new Budget.Slowdown(SLOWDOWN), Percentile.P99, 0);
        OnlineController plain = new OnlineController(ControllerSettings.defaults());
        plain.register("m", SyntheticProfiles.orinLike(1), new Budget.Slowdown(SLOWDOWN), Percentile.P99, 0);

        assertEquals(run(plain, t, 0, 60), run(priced, t, 0, 60));
    }
}
