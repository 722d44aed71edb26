package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.joulegov.client.ControlClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole system in separate processes, as on a Jetson: {@code joulegov simulate} serves a live Nano and runs a
 * resnet18 stream that registers and reports over the control socket; {@code joulegov govern} holds the clocks.
 */
class EndToEndTest {

    private static final String CPU = "sys/devices/system/cpu/cpufreq/policy0/";
    private static final String GPU = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @Test
    void theClocksFollowTheControllerAndComeBackAfterKillAndSigterm() throws Exception {
        Path root = tmp.resolve("nano");
        Path cache = tmp.resolve("cache");
        Path socket = root.resolve("run/joulegov/joulegov.sock");
        VirtualProfile.resnet18Into(cache);
        Path simLog = tmp.resolve("simulate.log");
        Process simulate = LiveNano.start(processes, root, simLog, "--workload", "resnet18", "--rate", "15", "--socket",
                socket.toString(), "--slowdown", "1.4");
        Map<String, String> before = JoulegovProcess.knobs(root);
        assertEquals("schedutil", JoulegovProcess.read(root, CPU + "scaling_governor"));

        Process daemon = govern(root, cache, socket);
        awaitHeld(socket);
        // the clocks follow the controller: what the daemon says it holds is what the files say
        Await.until(() -> {
            JsonNode held = status(socket).path("held");
            return JoulegovProcess.read(root, CPU + "scaling_setspeed").equals(held.path("cpuKHz").asText())
                    && JoulegovProcess.read(root, GPU + "max_freq").equals(held.path("gpuHz").asText());
        }, "the pin matches the status");
        assertEquals(JoulegovProcess.read(root, GPU + "min_freq"), JoulegovProcess.read(root, GPU + "max_freq"));
        assertTrue(Files.readString(simLog).contains("registered with the governor") || status(socket).path("models").size() == 1);

        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
        assertNotEquals(before, JoulegovProcess.knobs(root), "a kill -9 leaves the board pinned");
        CliRun restore = CliRun.of("restore", "--root", root.toString());
        assertEquals(0, restore.exitCode(), restore.err());
        Await.equal(before, () -> JoulegovProcess.knobs(root), "restore gives every knob back"); // setspeed at the board's next tick

        // the stream registers again by itself with the new daemon; SIGTERM then restores without help
        Process second = govern(root, cache, socket);
        awaitHeld(socket);
        second.destroy();
        assertTrue(second.waitFor(10, TimeUnit.SECONDS));
        Await.equal(before, () -> JoulegovProcess.knobs(root), "SIGTERM gives every knob back");
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")));
        assertTrue(simulate.isAlive(), "the inference stream never failed: " + Files.readString(simLog));
    }

    @Test
    void governVirtualServesItsOwnBoardWithAStreamAndStopsCleanlyOnSigterm() throws Exception {
        Path cache = tmp.resolve("cache");
        VirtualProfile.resnet18Into(cache);
        int port = MetricsEndpoint.freePort();
        Path log = tmp.resolve("govern-virtual.log");
        Process daemon = JoulegovProcess.start(log, "govern", "--virtual", "nano", "--model", "resnet18",
                "--slowdown", "1.3", "--cache", cache.toString(), "--workload", "resnet18", "--rate", "15",
                "--metrics-port", Integer.toString(port));
        processes.add(daemon);
        Await.until(() -> Files.readString(log).contains("governing a virtual nano at "), "the daemon starts");
        String started = Files.readString(log);
        int at = started.indexOf("governing a virtual nano at ") + "governing a virtual nano at ".length();
        Path board = Path.of(started.substring(at, started.indexOf(' ', at)));
        assertEquals("userspace", JoulegovProcess.read(board, CPU + "scaling_governor"), "the daemon holds the board it serves");
        assertTrue(Files.exists(board.resolve("var/lib/joulegov/restore.json")), "journaled as on a live board");
        // no --allow-virtual-profiles: a profile of this virtual board's kind is its own
        Await.until(() -> MetricsEndpoint.scrape(port).contains("joulegov_inference_latency_seconds_count{model=\"resnet18\"}"),
                "the stream's latencies reach the daemon");
        String metrics = MetricsEndpoint.scrape(port);
        for (String series : List.of("joulegov_cpu_frequency_hertz{", "joulegov_gpu_frequency_hertz ",
                "joulegov_power_watts{rail=\"POM_5V_IN\"}", "joulegov_board_power_watts ", "joulegov_energy_joules_total ",
                "joulegov_inference_latency_seconds{model=\"resnet18\",quantile=\"0.95\"}")) {
            assertTrue(metrics.contains(series), series + " in\n" + metrics);
        }
        long t0 = System.nanoTime();
        daemon.destroy();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS), "SIGTERM stops it within 10 s");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
        assertEquals(143, daemon.exitValue(), "stopped by SIGTERM: " + Files.readString(log));
        assertFalse(Files.exists(board), "the virtual board's directory is removed");
    }

    private Process govern(Path root, Path cache, Path socket) throws IOException {
        Process p = JoulegovProcess.start(tmp.resolve("govern-" + processes.count() + ".log"), "govern", "--root", root.toString(),
                "--cache", cache.toString(), "--socket", socket.toString(), "--allow-virtual-profiles");
        processes.add(p);
        return p;
    }

    /** Waits until the stream has registered with the daemon and the daemon holds a point. */
    private static void awaitHeld(Path socket) throws Exception {
        Await.until(() -> {
            try {
                JsonNode status = status(socket);
                return status.path("models").size() == 1 && status.path("held").isObject();
            } catch (IOException notYet) {
                return false; // the daemon is starting
            }
        }, "the stream registers with the daemon");
    }

    private static JsonNode status(Path socket) throws IOException {
        try (ControlClient c = ControlClient.connect(socket, Duration.ofSeconds(2))) {
            return c.exchange("{\"op\":\"status\"}");
        }
    }

}
