package io.joulegov.governor;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;

import java.util.ArrayList;
import java.util.List;

/** A profile of model "m" over some of the Nano's clocks: latency falls and energy rises with both clocks above a knee. */
public final class KneeProfile {

    private KneeProfile() {
    }

    public static ProfileTable nano() {
        List<Measurement> rows = new ArrayList<>();
        for (long cpu : List.of(710400L, 1036800L, 1479000L)) {
            for (long gpu : List.of(460800000L, 691200000L, 921600000L)) {
                double ms = 2000.0 / (cpu / 1e3) + 9000.0 / (gpu / 1e6);
                double watts = 1.5 + 2e-9 * cpu * cpu / 1e3 + 4e-9 * (gpu / 1e3) * (gpu / 1e3) / 1e3;
                rows.add(Measurement.ofMean(OperatingPoint.of(cpu, gpu), ms, watts * ms / 1e3));
            }
        }
        return new ProfileTable(new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(), "m", "00000000",
                1, List.of(), "test", 1, 1, 100, 3, 100, ProfileKey.MEASURED), rows);
    }
}
