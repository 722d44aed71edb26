package io.joulegov.simulator.board;

import java.util.HashMap;
import java.util.Map;

/**
 * What other workloads running on the board at the same time cost an inference: each workload's recent occupancy of
 * the CPU, the GPU and the memory (the share of time its inferences kept each busy, at the clocks they ran at, faded
 * over {@link #FADE_NANOS}), and the stretch of another's parts that follows. The GPU is time-sliced and the memory's
 * bandwidth shared: a part overlapping a co-runner's use for a share {@code u} of its time runs at half pace there,
 * {@code 1 + u} in all. The CPU's part contends only when both want the same core: {@code 1 + u / cores}. Plausible
 * (simulator/README.md, "Several workloads"): no published figure gives Jetson contention per domain; a fluid
 * approximation, each inference's stretch fixed when it begins. Workloads are told apart by name (two copies of one
 * model do not slow each other here), and the cores counted are all the board's (a power mode that takes some
 * offline is not seen). A workload idle for about 10 s is forgotten, so that one workload alone runs exactly as it
 * would on a board that never ran another.
 */
final class CoRunners {

    static final double FADE_NANOS = 1e9;
    /** An occupancy this small is no co-runner any more. */
    private static final double FORGOTTEN = 1e-4;

    /** A stretch of each part of an inference. */
    record Stretch(double cpu, double gpu, double mem) {
        static final Stretch NONE = new Stretch(1, 1, 1);
    }

    private static final class Occupancy {
        long at;
        final double[] share = new double[3];

        void fadeTo(long now) {
            double keep = Math.exp(-(now - at) / FADE_NANOS);
            for (int i = 0; i < share.length; i++) {
                share[i] *= keep;
            }
            at = now;
        }
    }

    private final Map<String, Occupancy> byWorkload = new HashMap<>();
    private final int cores;

    CoRunners(int cores) {
        this.cores = cores;
    }

    /** An inference of {@code workload} begun at {@code now} keeps the CPU, GPU and memory busy this long (ms). */
    void ran(String workload, long now, double cpuMs, double gpuMs, double memMs) {
        Occupancy o = byWorkload.computeIfAbsent(workload, w -> new Occupancy());
        o.fadeTo(now);
        double[] parts = {cpuMs, gpuMs, memMs};
        for (int i = 0; i < parts.length; i++) {
            o.share[i] += parts[i] * 1e6 / FADE_NANOS;
        }
    }

    /** How much the others' recent occupancy stretches an inference of {@code workload} begun at {@code now}. */
    Stretch stretch(String workload, long now) {
        if (byWorkload.isEmpty() || byWorkload.size() == 1 && byWorkload.containsKey(workload)) {
            return Stretch.NONE;
        }
        double[] others = new double[3];
        for (var it = byWorkload.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Occupancy> e = it.next();
            if (e.getKey().equals(workload)) {
                continue;
            }
            Occupancy o = e.getValue();
            o.fadeTo(now);
            if (o.share[0] + o.share[1] + o.share[2] < FORGOTTEN) {
                it.remove();
                continue;
            }
            for (int i = 0; i < others.length; i++) {
                others[i] += o.share[i];
            }
        }
        return others[0] + others[1] + others[2] == 0 ? Stretch.NONE
                : new Stretch(1 + others[0] / cores, 1 + others[1], 1 + others[2]);
    }
}
