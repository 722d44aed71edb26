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
}
