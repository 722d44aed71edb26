package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.joulegov.client.ControlClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One owner per board, in separate processes on a live virtual Nano: a second govern, a profile and a restore are
 * refused while the first daemon lives; after a kill -9 of it, restore gives every knob back.
 */
class OneOwnerTest {

    private static final String CPU = "sys/devices/system/cpu/cpufreq/policy0/";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();


    @Test
    void aSecondOwnerIsRefusedAndKillDashNineOfTheFirstIsUndoneByRestore() throws Exception {
        Path root = tmp.resolve("nano");
        Path cache = tmp.resolve("cache");
        Path socket = root.resolve("run/joulegov/joulegov.sock");
        LiveNano.start(processes, root, tmp.resolve("simulate.log"));
        VirtualProfile.resnet18Into(cache);
        Map<String, String> before = JoulegovProcess.knobs(root);

        Process first = JoulegovProcess.start(tmp.resolve("first.log"), "govern", "--root", root.toString(), "--cache",
                cache.toString(), "--model", "resnet18", "--slowdown", "1.3", "--allow-virtual-profiles", "--metrics-port", "0");
        processes.add(first);
        Await.until(() -> Files.exists(socket) && JoulegovProcess.read(root, CPU + "scaling_governor").equals("userspace"), "the first daemon holds the board");
        String owner = "owned by another joulegov process (pid " + first.pid() + ", started ";

        CliRun second = CliRun.of("govern", "--root", root.toString(), "--cache", cache.toString(), "--model", "resnet18",
                "--slowdown", "1.3", "--allow-virtual-profiles", "--metrics-port", "0", "--duration", "5");
        assertEquals(1, second.exitCode(), second.err());
        assertTrue(second.oneLineError() && second.err().contains(owner), second.err());
        CliRun profile = CliRun.of("profile", "--no-emc", "--root", root.toString(), "--model", "bert-tiny", "--grid", "sparse",
                "--inferences", "20", "--reruns", "3", "--out", tmp.resolve("bert.json").toString());
        assertEquals(1, profile.exitCode(), profile.err());
        assertTrue(profile.err().contains(owner), profile.err());
        CliRun restore = CliRun.of("restore", "--root", root.toString());
        assertEquals(1, restore.exitCode(), restore.err());
        assertTrue(restore.oneLineError() && restore.err().contains("owned by a running joulegov process (pid " + first.pid()),
                restore.err());
        assertTrue(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "the owner's journal stays");
        try (ControlClient c = ControlClient.connect(socket, Duration.ofSeconds(2))) {
            JsonNode status = c.exchange("{\"op\":\"status\"}");
            assertEquals("[\"resnet18\"]", status.path("models").toString(), "the first daemon still serves its socket");
        }

        first.destroyForcibly();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        assertNotEquals(before, JoulegovProcess.knobs(root), "a kill -9 leaves the board pinned");
        CliRun after = CliRun.of("restore", "--root", root.toString());
        assertEquals(0, after.exitCode(), after.err());
        Await.equal(before, () -> JoulegovProcess.knobs(root), "every knob back"); // setspeed at the board's next tick
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")));
    }

    @Test
    void aForcedRestoreWhileTheOwnerLivesKeepsItsJournal() throws Exception {
        Path root = tmp.resolve("nano");
        Path cache = tmp.resolve("cache");
        LiveNano.start(processes, root, tmp.resolve("simulate.log"));
        VirtualProfile.resnet18Into(cache);
        Process first = JoulegovProcess.start(null, "govern", "--root", root.toString(), "--cache", cache.toString(),
                "--model", "resnet18", "--slowdown", "1.3", "--allow-virtual-profiles", "--metrics-port", "0");
        processes.add(first);
        Await.until(() -> JoulegovProcess.read(root, CPU + "scaling_governor").equals("userspace"), "the daemon holds the board");
        CliRun forced = CliRun.of("restore", "--root", root.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertTrue(forced.out().contains("forced; the journal stays"), forced.out());
        assertTrue(Files.exists(root.resolve("var/lib/joulegov/restore.json")));
        first.destroy();
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "the owner removed its journal on stop");
    }
}
