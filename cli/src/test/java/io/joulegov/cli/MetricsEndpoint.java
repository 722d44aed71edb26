package io.joulegov.cli;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon's /metrics endpoint as a test scrapes it: a free loopback port to serve it on, and one scrape. */
final class MetricsEndpoint {

    private MetricsEndpoint() {
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** One GET of /metrics, checked to be a 200 in the Prometheus text format. */
    static String scrape(int port) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return response.body();
    }

    /** A scrape, or empty while the endpoint is not served yet (the daemon opens it just after its control socket). */
    static String scrapeOnceServed(int port) throws Exception {
        try {
            return scrape(port);
        } catch (java.net.ConnectException notYet) {
            return "";
        }
    }
}
