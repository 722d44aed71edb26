package io.joulegov.policies.profile;

import io.joulegov.policies.select.Percentile;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** A profile: its key and one measurement per operating point. */
public record ProfileTable(ProfileKey key, List<Measurement> rows) {

    public ProfileTable {
        rows = List.copyOf(rows);
    }

    /** The point with the lowest latency at {@code percentile} (lower energy breaks ties). */
    public Measurement fastest(Percentile percentile) {
        return rows.stream().min(Comparator.comparingDouble(percentile::of).thenComparingDouble(Measurement::energyJ)
                .thenComparing(Measurement::point)).orElseThrow(() -> new IllegalStateException("empty profile"));
    }

    /** Whether the profile lacks energy (measured on a host without power sensors): no energy policy can use it. */
    public boolean latencyOnly() {
        return rows.stream().anyMatch(m -> !m.hasEnergy());
    }

    public Optional<Measurement> at(OperatingPoint point) {
        return rows.stream().filter(m -> m.point().equals(point)).findFirst();
    }

    /** The highest mean power of any point: Zeus's MaxPower. */
    public double maxPowerW() {
        return rows.stream().mapToDouble(Measurement::powerW).max().orElse(0);
    }
}
