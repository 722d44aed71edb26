package io.joulegov.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.joulegov.client.protocol.ControlProtocol;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The daemon's control socket, connected on first use and again after any failure. */
public final class SocketTransport implements Transport {

    /** A loaded machine may leave the daemon without CPU for a while; only its silence beyond this is a loss. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Path socket;
    private ControlClient client;

    public SocketTransport(Path socket) {
        this.socket = socket;
    }

    @Override
    public void register(Registration registration) throws IOException {
        send(registration.toRequest());
    }

    @Override
    public void begin(String model) throws IOException {
        send(ControlProtocol.request(Map.of("op", "begin", "model", model)));
    }

    @Override
    public Duration report(String model, double[] latenciesMs, double[] endedMsAgo, int count) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("op", "report");
        doc.put("model", model);
        doc.put("latenciesMs", toTheMicrosecond(latenciesMs, count, 0.001)); // a latency is positive
        doc.put("endedMsAgo", toTheMicrosecond(endedMsAgo, count, 0));
        return Duration.ofMillis(send(ControlProtocol.request(doc)).path("reportWithinMs").asLong(0));
    }

    /** Milliseconds rounded to the µs, which keeps a full report well inside a request line. */
    private static double[] toTheMicrosecond(double[] ms, int count, double least) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = Math.max(least, Math.round(ms[i] * 1000) / 1000.0);
        }
        return out;
    }

    private JsonNode send(String request) throws IOException {
        if (client == null) {
            client = ControlClient.connect(socket, TIMEOUT);
        }
        try {
            return client.exchange(request);
        } catch (ControlClient.RefusedException refused) {
            throw refused; // the connection is fine, the request was not
        } catch (IOException e) {
            disconnect();
            throw e;
        }
    }

    @Override
    public void disconnect() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    public void close() {
        disconnect();
    }
}
