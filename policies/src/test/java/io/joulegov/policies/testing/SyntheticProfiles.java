package io.joulegov.policies.testing;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;

import java.util.ArrayList;
import java.util.List;

/** Profiles made from a small formula, for tests of decisions: GPU-bound latency, U-shaped energy. */
public final class SyntheticProfiles {

    public static final long[] CPU = {400000, 700000, 1000000, 1300000, 1479000};
    public static final long[] GPU = {230400000, 384000000, 537600000, 691200000, 844800000, 921600000};

    /** An Orin-like memory clock: the EMC rates of an Orin Nano Super. */
    public static final long[] EMC = {204000000L, 665600000L, 2133000000L, 3199000000L};

    private SyntheticProfiles() {
    }

    /** A Nano-like profile whose latencies are {@code scale} times the base model's. */
    public static ProfileTable nanoLike(double scale) {
        List<Measurement> rows = new ArrayList<>();
        for (long c : CPU) {
            for (long g : GPU) {
                double fc = c / 1e3;
                double fg = g / 1e6;
                double ms = scale * (2000 / fc + 9000 / fg + 2);
                double vc = 0.8 + 0.4 * Math.max(0, fc - 600) / 879;
                double vg = 0.8 + 0.3 * Math.max(0, fg - 300) / 621.6;
                double watts = 1.6 + 9e-4 * vc * vc * fc * 0.6 + 3e-3 * vg * vg * fg * 0.9;
                rows.add(new Measurement(OperatingPoint.of(c, g), ms, ms, ms * 1.059, ms * 1.085, watts * ms / 1e3,
                        watts, 0.01, 3200, null, Measurement.Source.MEASURED));
            }
        }
        ProfileKey key = new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(), "m" + scale, "00000000",
                1, List.of(), "test", 1, 1, 3200, 10, 100, ProfileKey.VIRTUAL);
        return new ProfileTable(key, rows);
    }

    /**
     * A three-axis profile over CPU x GPU x {@link #EMC}: the Nano-like model with a memory-bound share of its work,
     * which the EMC clock sets, and the memory's power rising with its clock.
     */
    public static ProfileTable orinLike(double scale) {
        List<Measurement> rows = new ArrayList<>();
        for (long c : CPU) {
            for (long g : GPU) {
                for (long e : EMC) {
                    double fc = c / 1e3;
                    double fg = g / 1e6;
                    double fe = e / 1e6;
                    double ms = scale * (2000 / fc + 9000 / fg + 9000 / fe + 2);
                    double vc = 0.8 + 0.4 * Math.max(0, fc - 600) / 879;
                    double vg = 0.8 + 0.3 * Math.max(0, fg - 300) / 621.6;
                    double watts = 1.6 + 9e-4 * vc * vc * fc * 0.6 + 3e-3 * vg * vg * fg * 0.9 + 0.2 + 6e-4 * fe;
                    rows.add(new Measurement(new OperatingPoint(c, g, e), ms, ms, ms * 1.059, ms * 1.085,
                            watts * ms / 1e3, watts, 0.01, 3200, null, Measurement.Source.MEASURED));
                }
            }
        }
        ProfileKey key = new ProfileKey("jetson-orin-nano", null, null, null, List.of(), List.of(), List.of(), "m" + scale,
                "00000000", 1, List.of(), "test", 1, 1, 3200, 10, 100, ProfileKey.VIRTUAL);
        return new ProfileTable(key, rows);
    }
}
