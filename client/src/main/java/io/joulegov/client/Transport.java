package io.joulegov.client;

import java.io.IOException;
import java.time.Duration;

/** How a {@link LatencyReporter} reaches a governor: the daemon's socket, or a governor in the same process. */
public interface Transport extends AutoCloseable {

    /** Registers the model (again, after a reconnect); throws when the governor refuses or cannot be reached. */
    void register(Registration registration) throws IOException;

    /** The model is about to run after a pause: hold its working point now, not after the next report. */
    void begin(String model) throws IOException;

    /**
     * The first {@code count} finished inferences, at most {@link io.joulegov.client.protocol.ControlProtocol#MAX_LATENCIES}
     * at once: their latencies and how long ago each ended (ms). Answers how soon the governor asks for the next report
     * (zero: at the reporter's own pace; sooner while it learns the model, whose every step waits for latencies).
     */
    Duration report(String model, double[] latenciesMs, double[] endedMsAgo, int count) throws IOException;

    /** Drops the connection, if any; the next call reconnects. */
    void disconnect();

    @Override
    void close();
}
