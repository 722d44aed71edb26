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
        awaitSocket(socket);
        Thread.sleep(500);
        Files.writeString(root.resolve(RAIL), "garbage\n");
        Files.writeString(root.resolve(ZONE), "-256000\n");
        Thread.sleep(600);
        String during = MetricsEndpoint.scrape(port);
        assertTrue(counter(during, "joulegov_sensor_failures_total{rail=\"POM_5V_IN\"}") >= 3, during);
        assertTrue(during.contains("joulegov_temperature_celsius{zone=\"AO-therm\"} NaN"), "-256 C is no reading:\n" + during);
        Files.writeString(root.resolve(RAIL), "");
        Files.writeString(root.resolve(ZONE), "");
        Thread.sleep(400);
        Files.writeString(root.resolve(RAIL), "5000\n");
        Files.writeString(root.resolve(ZONE), "41000\n");
        Thread.sleep(500);
        String after = MetricsEndpoint.scrape(port);
        double failures = counter(after, "joulegov_sensor_failures_total{rail=\"POM_5V_IN\"}");
        Thread.sleep(500);
        assertEquals(failures, counter(MetricsEndpoint.scrape(port), "joulegov_sensor_failures_total{rail=\"POM_5V_IN\"}"), "the rail reads again");
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
        Thread.sleep(1500);
        assertTrue(!govern.isDone(), "the daemon waits for the GPU instead of giving up");
        Files.createSymbolicLink(link, target);
        awaitSocket(root.resolve("run/joulegov/joulegov.sock"));
        Thread.sleep(300);
        assertEquals(read(root, GPU + "min_freq"), read(root, GPU + "max_freq"), "the GPU is pinned once it is there");
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



    private static void awaitSocket(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(socket), "the daemon serves its socket");
    }

    private static String read(Path root, String rel) throws Exception {
        return Files.readString(root.resolve(rel)).trim();
    }
}
