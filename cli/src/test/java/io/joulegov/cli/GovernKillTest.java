package io.joulegov.cli;

import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The check on a JetPack 4 Nano tree with an imported profile (not a virtual one): {@code govern} pins the
 * knobs, and {@code restore} undoes a kill -9 at any moment of its life (starting, journaling, pinning, holding,
 * idling). bench/fault-injection.sh does the same 50 times against a live board.
 */
class GovernKillTest {

    @TempDir
    Path tmp;

    @Test
    void restoreUndoesAKillDashNineAtAnyMoment() throws Exception {
        Path root = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        Path cache = root.resolve("var/lib/joulegov/models-cache");
        ImportedProfile.resnet18Into(cache, tmp);
        Map<String, String> before = TreeSnapshot.withoutSetspeed(root.resolve("sys"));

        Random random = new Random(42);
        boolean sawPinned = false;
        for (int kill = 0; kill < 6; kill++) {
            Process daemon = JoulegovProcess.start(null, "govern", "--root", root.toString(), "--model", "resnet18",
                    "--slowdown", "1.3", "--metrics-port", "0");
            Path governor = root.resolve("sys/devices/system/cpu/cpufreq/policy0/scaling_governor");
            if (kill == 5) {
                // the last kill finds it pinned, however slow the machine is to start a JVM
                Await.until(() -> Files.readString(governor).trim().equals("userspace"), "the daemon pins the board");
            } else {
                Thread.sleep(200 + random.nextInt(2300)); // a kill at any moment of its life: the moment is the point
            }
            sawPinned |= Files.readString(governor).trim().equals("userspace");
            daemon.destroyForcibly();
            assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
            CliRun restore = CliRun.of("restore", "--root", root.toString());
            assertEquals(0, restore.exitCode(), restore.err());
            assertEquals(before, TreeSnapshot.withoutSetspeed(root.resolve("sys")), "after kill " + kill);
        }
        assertTrue(sawPinned, "a kill found the board pinned by the daemon");
    }
}
