package io.joulegov.cli;

import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.TreeSnapshot;
import io.joulegov.client.ControlClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sensors that fail while the daemon governs a Nano JetPack 4 tree: the total rail returns garbage, then nothing,
 * then reads again; a thermal zone reads -256 C (the Jetson's "no reading") or nothing; the GPU devfreq node appears
 * only after the daemon started. It keeps governing and says what happened in its metrics.
 */
class SensorFaultsTest {

    private static final String RAIL = "sys/devices/7000c400.i2c/i2c-6/6-0040/iio:device0/in_power0_input";
    private static final String ZONE = "sys/devices/virtual/thermal/thermal_zone0/temp";
    private static final String GPU = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";
    private static final String FAILURES = "joulegov_sensor_failures_total{rail=\"POM_5V_IN\"}";

    @TempDir
    Path tmp;

    private Path board() throws Exception {
        Path root = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        ImportedProfile.resnet18Into(root.resolve("var/lib/joulegov/models-cache"), tmp);
        return root;
    }

    private CompletableFuture<CliRun> govern(Path root, int port, int seconds) {
        return CompletableFuture.supplyAsync(() -> CliRun.of("govern", "--root", root.toString(), "--model", "resnet18",
                "--slowdown", "1.3", "--metrics-port", Integer.toString(port), "--duration", Integer.toString(seconds)));
    }

    @Test
    void failingRailsAndZonesAreCountedAndGoverningGoesOn() throws Exception {
        Path root = board();
        Map<String, String> before = TreeSnapshot.withoutSetspeed(root.resolve("sys"));
        int port = MetricsEndpoint.freePort();
        CompletableFuture<CliRun> govern = govern(root, port, 6);
        Path socket = root.resolve("run/joulegov/joulegov.sock");
        Await.until(() -> Files.exists(socket), "the daemon makes its socket");
        Await.until(() -> !MetricsEndpoint.scrapeOnceServed(port).isEmpty(), "the daemon serves its metrics");
        Files.writeString(root.resolve(RAIL), "garbage\n");
        Files.writeString(root.resolve(ZONE), "-256000\n");
        Await.until(() -> counter(MetricsEndpoint.scrape(port), FAILURES) >= 3, "three failed reads of the rail");
        String during = MetricsEndpoint.scrape(port);
        assertTrue(counter(during, FAILURES) >= 3, during);
        assertTrue(during.contains("joulegov_temperature_celsius{zone=\"AO-therm\"} NaN"), "-256 C is no reading:\n" + during);
        Files.writeString(root.resolve(RAIL), "");
        Files.writeString(root.resolve(ZONE), "");
        double beforeEmpty = counter(MetricsEndpoint.scrape(port), FAILURES);
        // two more: the one that may have read the garbage as it was replaced, and one of the empty rail
        Await.until(() -> counter(MetricsEndpoint.scrape(port), FAILURES) >= beforeEmpty + 2, "the emptied rail is read");
        Files.writeString(root.resolve(RAIL), "5000\n");
        Files.writeString(root.resolve(ZONE), "41000\n");
        // a sample's rail power is NaN when the read failed: a number is a read of the 5000 just written
        Await.until(() -> !Double.isNaN(counter(MetricsEndpoint.scrape(port), "joulegov_power_watts{rail=\"POM_5V_IN\"}")),
                "the rail is read again");
        String after = MetricsEndpoint.scrape(port);
        double failures = counter(after, FAILURES);
        Thread.sleep(500); // that no failure follows is a fixed time's check: several 100 ms samples
        assertEquals(failures, counter(MetricsEndpoint.scrape(port), FAILURES), "the rail reads again");
        assertTrue(after.contains("joulegov_temperature_celsius{zone=\"AO-therm\"} 41.0"), after);
        try (ControlClient c = ControlClient.connect(socket, Duration.ofSeconds(2))) {
            assertTrue(c.exchange("{\"op\":\"status\"}").path("held").isObject(), "still governing");
        }
        assertEquals(read(root, GPU + "min_freq"), read(root, GPU + "max_freq"), "the GPU is still pinned");
        assertEquals(0, govern.get(30, TimeUnit.SECONDS).exitCode());
        assertEquals(withoutSensors(before), withoutSensors(TreeSnapshot.withoutSetspeed(root.resolve("sys"))));
    }

    @Test
    void aGpuNodeThatAppearsLateIsWaitedFor() throws Exception {
        Path root = board();
        Path link = root.resolve("sys/class/devfreq/57000000.gpu");
        Path target = Files.readSymbolicLink(link);
        Files.delete(link);
        CompletableFuture<CliRun> govern = govern(root, 0, 4);
        Thread.sleep(1500); // that it does not give up is a fixed time's check
        assertTrue(!govern.isDone(), "the daemon waits for the GPU instead of giving up");
        Files.createSymbolicLink(link, target);
        Path socket = root.resolve("run/joulegov/joulegov.sock");
        Await.until(() -> Files.exists(socket), "the daemon makes its socket");
        // pinned before the socket is served, but the first tick moves the pin to the idle setting, one file after the other
        Await.agree(() -> read(root, GPU + "min_freq"), () -> read(root, GPU + "max_freq"), "the GPU is pinned once it is there");
        CliRun run = govern.get(30, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
    }

    private static Map<String, String> withoutSensors(Map<String, String> tree) {
        tree.keySet().removeIf(k -> k.endsWith("in_power0_input") || k.endsWith("thermal_zone0/temp"));
        return tree;
    }

    private static double counter(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " missing from\n" + scrape));
    }

    private static String read(Path root, String rel) throws Exception {
        return Files.readString(root.resolve(rel)).trim();
    }
}
