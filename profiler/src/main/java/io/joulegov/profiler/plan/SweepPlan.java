package io.joulegov.profiler.plan;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;

import java.util.ArrayList;
import java.util.List;

/** Which operating points to measure, given those measured so far. */
public interface SweepPlan {

    /** Every point of the grid. */
    List<OperatingPoint> grid();

    /** The points to measure next; none when the plan is done. */
    List<OperatingPoint> next(List<Measurement> measured);

    /** The CPU x GPU (x EMC) grid, CPU slowest-changing. */
    static List<OperatingPoint> grid(List<Long> cpuKHz, List<Long> gpuHz, List<Long> emcHz) {
        List<OperatingPoint> out = new ArrayList<>();
        for (long c : cpuKHz) {
            for (long g : gpuHz) {
                if (emcHz.isEmpty()) {
                    out.add(OperatingPoint.of(c, g));
                } else {
                    for (long e : emcHz) {
                        out.add(new OperatingPoint(c, g, e));
                    }
                }
            }
        }
        return out;
    }
}
