package io.joulegov.cli;

import io.joulegov.client.LatencyReporter;
import io.joulegov.client.Registration;
import io.joulegov.governor.inprocess.InProcessTransport;

import java.nio.file.Path;
import java.time.Duration;

/**
 * An application that governs in-process and never calls close(): it reports a 30 ms inference every 30 ms until
 * it is killed. Arguments: ROOT CACHE.
 */
public final class InProcessApp {

    private InProcessApp() {
    }

    public static void main(String[] args) throws Exception {
        LatencyReporter reporter = new LatencyReporter(new Registration("resnet18", "", 1, null, 1.3, "p95"),
                InProcessTransport.open(Path.of(args[0]), Path.of(args[1]), true), Duration.ofMillis(20));
        boolean said = false;
        while (true) {
            reporter.starting();
            Thread.sleep(30); // the inference
            reporter.record(30);
            if (!said && reporter.reported() > 0) {
                System.out.println("governing");
                System.out.flush();
                said = true;
            }
        }
    }
}
