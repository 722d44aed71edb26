package io.joulegov.client.protocol;

import java.util.List;

/**
 * What a client of the control socket asks, one JSON object per line (see {@link ControlProtocol}).
 */
public sealed interface ControlRequest {

    /** An application's model: its name and hash, batch, and its latency budget (ms, or a slowdown) at a percentile. */
    record Register(String model, String hash, int batch, Double budgetMs, Double slowdown, String percentile)
            implements ControlRequest {
    }

    /**
     * Latencies (ms) of finished inferences, in the order they finished, and how long before the report each ended
     * (ms; empty when the client does not say): batched reports straddle clock switches, and
     * the profiler attributes each latency to the point held when it ended.
     */
    record Report(String model, List<Double> latenciesMs, List<Double> endedMsAgo) implements ControlRequest {
    }

    /** An inference is about to start: the board should be at the model's working point now. */
    record Begin(String model) implements ControlRequest {
    }

    record Unregister(String model) implements ControlRequest {
    }

    record Status() implements ControlRequest {
    }
}
