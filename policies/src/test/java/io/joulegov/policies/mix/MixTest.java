package io.joulegov.policies.mix;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixTest {

    private static final OperatingPoint P = OperatingPoint.of(1_000_000, 600_000_000);

    private static ProfileTable profile(String model, double ms, double joules, double idleW) {
        ProfileKey key = new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(), model, "00000000",
                1, List.of(), "test", 1, 1, 100, 3, 100, ProfileKey.VIRTUAL);
        return new ProfileTable(key, List.of(new Measurement(P, ms, ms, ms, ms, joules, joules / ms * 1e3, 0, 300, null,
                Measurement.Source.MEASURED, idleW)));
    }

    @Test
    void aMixDrawsItsMembersBusyEnergyAtTheirRatesAndTheBoardsIdlePowerTheRestOfTheTime() {
        // a detector 15 times a second (40 ms, 0.2 J) and a classifier 30 times (10 ms, 0.05 J), the board idling at 1.5 W
        Mix mix = new Mix(List.of(new Mix.Member(profile("yolov4-tiny", 40, 0.2, 1.5), 15),
                new Mix.Member(profile("resnet18", 10, 0.05, 1.5), 30)));
        double busyShare = 15 * 0.040 + 30 * 0.010;
        assertEquals(15 * 0.2 + 30 * 0.05 + 1.5 * (1 - busyShare), mix.wattsAt(P), 1e-12);
    }

    @Test
    void aPointMissingFromAMembersProfileHasNoPrediction() {
        Mix mix = new Mix(List.of(new Mix.Member(profile("bert-tiny", 3, 0.01, 1.2), 10)));
        assertTrue(Double.isNaN(mix.wattsAt(OperatingPoint.of(1, 2))));
        assertThrows(IllegalArgumentException.class, () -> new Mix.Member(profile("bert-tiny", 3, 0.01, 1.2), 0));
    }
}
