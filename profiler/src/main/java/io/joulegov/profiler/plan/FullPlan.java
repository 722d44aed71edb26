package io.joulegov.profiler.plan;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Every point of the grid, as the founding study measured. */
public final class FullPlan implements SweepPlan {

    private final List<OperatingPoint> grid;

    public FullPlan(List<OperatingPoint> grid) {
        this.grid = List.copyOf(grid);
    }

    @Override
    public List<OperatingPoint> grid() {
        return grid;
    }

    @Override
    public List<OperatingPoint> next(List<Measurement> measured) {
        Set<OperatingPoint> done = measured.stream().map(Measurement::point).collect(Collectors.toSet());
        return grid.stream().filter(p -> !done.contains(p)).limit(1).toList();
    }
}
