package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The controller's tunables: one record, today's values by default, variations by name. */
class ControllerSettingsTest {

    @Test
    void theDefaultsAreTheValuesTheControllerWasTunedWith() {
        ControllerSettings s = ControllerSettings.defaults();
        assertEquals(100, s.window());
        assertEquals(1000, s.missWindow());
        assertEquals(20, s.minSamples());
        assertEquals(3, s.missStreak());
        assertEquals(2_000_000_000L, s.minDwellNanos());
        assertEquals(0.05, s.margin());
        assertEquals(0.05, s.hysteresis());
        assertEquals(500_000_000L, s.idleNanos());
        assertEquals(250_000_000L, s.chooseEveryNanos());
        assertEquals(0.01, s.minGain());
        assertEquals(1.0, s.exploreSds());
        assertEquals(0.02, s.minExploreGain());
        assertEquals(0.10, s.exploreShare());
        assertEquals(PointCorrection.Settings.defaults(), s.energyCorrection());
        assertEquals(new PointCorrection.Settings(0.15, 0.05, 0.02, 0.03, 0.01, 600_000_000_000L, 3_000_000_000L),
                s.latencyCorrection());
        assertEquals(20, s.minWork());
        assertEquals(5, s.minWorkAtChange());
        assertEquals(10_000_000_000L, s.energyWaitNanos());
        assertEquals(3, s.stepsPerAxis());
        assertEquals(30_000_000_000L, s.retryNanos());
        assertEquals(4096, s.tailSamplesKept());
    }

    @Test
    void aVariationChangesOnlyTheFieldItNames() {
        ControllerSettings d = ControllerSettings.defaults();
        ControllerSettings v = d.withRetryNanos(5_000_000_000L).withMargin(0.1);
        assertEquals(5_000_000_000L, v.retryNanos());
        assertEquals(0.1, v.margin());
        assertEquals(d, v.withRetryNanos(d.retryNanos()).withMargin(d.margin()));
    }

    @Test
    void aSettingThatCannotWorkIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ControllerSettings.defaults().withMinSamples(0));
        assertThrows(IllegalArgumentException.class, () -> ControllerSettings.defaults().withRetryNanos(-1));
    }
}
