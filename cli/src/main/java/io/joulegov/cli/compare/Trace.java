package io.joulegov.cli.compare;

import io.joulegov.simulator.model.Disturbance;

import java.util.List;

/**
 * What a mode did over time, one sample a second of board time: the clocks held (NaN where nothing was pinned: the
 * default governors; the EMC's also where the kernel kept it) and those the board ran at (the EMC's NaN without
 * one), board power over the second, the latency at the budget's percentile over the last
 * {@link TraceRecorder#WINDOW_S} seconds, and the hottest thermal zone; and when the disturbance was on.
 */
public record Trace(List<Sample> samples, Disturbance disturbance, double disturbedFromS, double disturbedToS) {

    public record Sample(double seconds, double cpuHeldMHz, double cpuMHz, double gpuHeldMHz, double gpuMHz,
                         double emcHeldMHz, double emcMHz, double watts, double latencyMs, double celsius) {
    }

    public Trace {
        samples = List.copyOf(samples);
    }

    /** The samples from {@code fromS} (inclusive) to {@code toS} (exclusive) of board time. */
    public List<Sample> between(double fromS, double toS) {
        return samples.stream().filter(s -> s.seconds() >= fromS && s.seconds() < toS).toList();
    }
}
