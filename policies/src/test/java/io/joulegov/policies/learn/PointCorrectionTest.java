package io.joulegov.policies.learn;

import io.joulegov.policies.profile.OperatingPoint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The energy correction learned over a grid from measurements at a few of its points. */
class PointCorrectionTest {

    private static final long S = 1_000_000_000L;
    private static final long[] CPU = {400000, 700000, 1000000, 1300000, 1479000};
    private static final long[] GPU = {230400000, 384000000, 537600000, 691200000, 844800000, 921600000};

    private static List<OperatingPoint> grid() {
        List<OperatingPoint> g = new ArrayList<>();
        for (long c : CPU) {
            for (long gpu : GPU) {
                g.add(OperatingPoint.of(c, gpu));
            }
        }
        return g;
    }

    /** A unit whose energy is 6% above the profile's, rising with the GPU clock (its GPU leaks more). */
    private static double truth(OperatingPoint p) {
        return 1.06 * Math.pow(p.gpuHz() / 921600000.0, 0.04);
    }

    @Test
    void withNothingMeasuredItTrustsTheProfileWithThePriorsUncertainty() {
        PointCorrection c = new PointCorrection(grid(), Set.of(), PointCorrection.Settings.defaults());
        PointCorrection.Estimate e = c.at(OperatingPoint.of(1479000, 921600000), 0);
        assertEquals(1.0, e.factor(), 1e-12);
        assertTrue(e.sd() > 0.14, "the prior's spread: " + e.sd());
    }

    @Test
    void aFewMeasuredPointsCorrectTheWholeGridAndTheirOwnMost() {
        List<OperatingPoint> grid = grid();
        PointCorrection c = new PointCorrection(grid, Set.of(), PointCorrection.Settings.defaults());
        java.util.Random noise = new java.util.Random(3);
        List<OperatingPoint> measured = List.of(OperatingPoint.of(1479000, 921600000), OperatingPoint.of(1000000, 537600000),
                OperatingPoint.of(700000, 921600000));
        long now = 0;
        for (int round = 0; round < 5; round++) {
            for (OperatingPoint p : measured) {
                now += S;
                c.observe(p, 0.5 * truth(p) * Math.exp(0.02 * noise.nextGaussian()), 0.5, now);
            }
        }
        assertEquals(3, c.measuredPoints());
        for (OperatingPoint p : grid) {
            PointCorrection.Estimate e = c.at(p, now);
            assertEquals(truth(p), e.factor(), 0.02, "at " + p);
        }
        PointCorrection.Estimate own = c.at(measured.get(1), now);
        PointCorrection.Estimate far = c.at(OperatingPoint.of(400000, 230400000), now);
        assertTrue(own.sd() < 0.015, "a measured point is known to its noise: " + own.sd());
        assertTrue(far.sd() > own.sd(), "an unmeasured point far away less so: " + far.sd());
    }

    @Test
    void oldMeasurementsFadeSoThatAChangedBoardIsFollowed() {
        OperatingPoint p = OperatingPoint.of(1000000, 691200000);
        PointCorrection c = new PointCorrection(grid(), Set.of(), new PointCorrection.Settings(0.15, 0.05, 0.02, 0.05, 0.02, 60 * S, 10 * S));
        for (int i = 0; i < 30; i++) {
            c.observe(p, 1.0, 1.0, i * S);
        }
        // ten minutes later the board runs warmer: 8% more energy at the same point
        for (int i = 0; i < 5; i++) {
            c.observe(p, 1.08, 1.0, (600 + i) * S);
        }
        assertEquals(1.08, c.at(p, 605 * S).factor(), 0.01);
    }

    @Test
    void aMeasurementThatIsNotAnEnergyIsIgnored() {
        PointCorrection c = new PointCorrection(grid(), Set.of(), PointCorrection.Settings.defaults());
        c.observe(OperatingPoint.of(1000000, 691200000), Double.NaN, 1.0, S);
        c.observe(OperatingPoint.of(1000000, 691200000), 0, 1.0, S);
        assertEquals(0, c.measuredPoints());
    }

    @Test
    void anEstimatesUncertaintyGrowsWithTimePassedAndNoObservation() {
        OperatingPoint measured = OperatingPoint.of(1000000, 691200000);
        OperatingPoint far = OperatingPoint.of(400000, 230400000);
        PointCorrection c = new PointCorrection(grid(), Set.of(), new PointCorrection.Settings(0.15, 0.05, 0.02, 0.05, 0.02, 60 * S, 10 * S));
        for (int i = 0; i < 10; i++) {
            c.observe(measured, 1.05, 1.0, i * S);
        }
        PointCorrection.Estimate ownThen = c.at(measured, 10 * S);
        PointCorrection.Estimate farThen = c.at(far, 10 * S);
        // five minutes (five half-lives) and nothing observed: what was learned is worth 1/32 of what it was
        PointCorrection.Estimate ownNow = c.at(measured, 310 * S);
        PointCorrection.Estimate farNow = c.at(far, 310 * S);
        assertTrue(ownNow.sd() > ownThen.sd() * 1.5, "the measured point: " + ownThen.sd() + " then, " + ownNow.sd() + " now");
        assertTrue(farNow.sd() > farThen.sd(), "a point never measured: " + farThen.sd() + " then, " + farNow.sd() + " now");
        // and it goes back to the prior's spread as the evidence fades away
        PointCorrection prior = new PointCorrection(grid(), Set.of(), new PointCorrection.Settings(0.15, 0.05, 0.02, 0.05, 0.02, 60 * S, 10 * S));
        assertEquals(prior.at(far, 0).sd(), c.at(far, 3600 * S).sd(), 1e-3);
    }

    @Test
    void anEstimateDependsOnTheTimeAskedForNotOnWhenItWasAskedBefore() {
        OperatingPoint p = OperatingPoint.of(1300000, 844800000);
        OperatingPoint other = OperatingPoint.of(700000, 384000000);
        PointCorrection asked = new PointCorrection(grid(), Set.of(), PointCorrection.Settings.defaults());
        PointCorrection notAsked = new PointCorrection(grid(), Set.of(), PointCorrection.Settings.defaults());
        for (int i = 0; i < 5; i++) {
            asked.observe(p, 1.1, 1.0, i * S);
            notAsked.observe(p, 1.1, 1.0, i * S);
        }
        asked.at(other, 5 * S);
        assertEquals(notAsked.at(other, 900 * S), asked.at(other, 900 * S));
        assertEquals(notAsked.at(p, 900 * S), asked.at(p, 900 * S));
    }
}
