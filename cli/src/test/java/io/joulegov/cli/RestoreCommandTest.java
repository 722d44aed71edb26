package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;
import io.joulegov.device.testing.TreeSnapshot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestoreCommandTest {

    @TempDir
    Path tmp;

    private Path board;
    private Path journal;

    /** A Nano tree whose GPU and CPU joulegov has pinned: the journal holds the originals. */
    private Map<String, String> pinnedNano() {
        board = FakeBoards.lay(Layout.NANO_JP4, tmp.resolve("board"));
        Map<String, String> original = TreeSnapshot.withoutSetspeed(board.resolve("sys"));
        SysRoot root = SysRoot.of(board);
        Board b = BoardDiscovery.discover(root);
        journal = RestoreJournal.defaultFile(root);
        ClockPinner pinner = new ClockPinner(b, RestoreJournal.open(root, journal));
        pinner.pinGpu(307200000L);
        pinner.pinCpu(b.cpuPolicies().get(0), 518400);
        return original;
    }

    @Test
    void restorePutsTheBoardBackAndRemovesTheJournal() {
        Map<String, String> original = pinnedNano();
        CliRun run = CliRun.of("restore", "--root", board.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("restored the board from " + journal + "\n", run.out());
        assertEquals(original, TreeSnapshot.withoutSetspeed(board.resolve("sys")));
        assertFalse(Files.exists(journal));
        CliRun again = CliRun.of("restore", "--root", board.toString());
        assertEquals(0, again.exitCode());
        assertTrue(again.out().startsWith("nothing to restore: no journal at "), again.out());
    }

    @Test
    void aJournalGivenWithStateIsUsed() throws IOException {
        Map<String, String> original = pinnedNano();
        Path moved = tmp.resolve("elsewhere.json");
        Files.move(journal, moved);
        CliRun run = CliRun.of("restore", "--root", board.toString(), "--state", moved.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(original, TreeSnapshot.withoutSetspeed(board.resolve("sys")));
    }

    @Test
    void aCorruptJournalExitsTwoAndChangesNothing() throws IOException {
        pinnedNano();
        Files.writeString(journal, "{ not json");
        Map<String, String> before = TreeSnapshot.of(tmp);
        CliRun run = CliRun.of("restore", "--root", board.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("corrupt restore journal"), run.err());
        assertEquals(before, TreeSnapshot.of(tmp));
    }

    /** The service's ExecStopPost: root and state come from the daemon's configuration, as govern read them. */
    @Test
    void configGivesTheRootAndTheJournalTheDaemonUsed() throws IOException {
        Map<String, String> original = pinnedNano();
        Path moved = tmp.resolve("state/restore.json");
        Files.createDirectories(moved.getParent());
        Files.move(journal, moved);
        Path conf = tmp.resolve("joulegov.conf");
        Files.writeString(conf, "# as the service has it\nroot = " + board + "\nstate = " + moved
                + "\nsocket-group = joulegov\nallow-virtual-profiles = true\nmodel = resnet18 slowdown=1.3\n");
        // --state alone (what the unit passed before) restores under another root: the journal is refused, exit 2
        Path other = Files.createDirectories(tmp.resolve("other-root"));
        CliRun plain = CliRun.of("restore", "--root", other.toString(), "--state", moved.toString());
        assertEquals(2, plain.exitCode(), plain.out() + plain.err());
        assertTrue(plain.oneLineError(), plain.err());
        CliRun run = CliRun.of("restore", "--config", conf.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("restored the board from " + moved + "\n", run.out());
        assertEquals(original, TreeSnapshot.withoutSetspeed(board.resolve("sys")));
        assertFalse(Files.exists(moved));
    }

    @Test
    void aMissingOrMalformedConfigIsOneLineAndExitTwo() throws IOException {
        pinnedNano();
        Path conf = tmp.resolve("bad.conf");
        Files.writeString(conf, "root = " + board + "\nstate: nowhere\n");
        Map<String, String> before = TreeSnapshot.of(board);
        for (Path file : List.of(tmp.resolve("missing.conf"), conf)) {
            CliRun run = CliRun.of("restore", "--config", file.toString());
            assertEquals(2, run.exitCode(), run.out() + run.err());
            assertTrue(run.oneLineError(), run.err());
            assertTrue(run.err().contains(file.toString()), run.err());
        }
        Files.writeString(conf, "root = " + tmp.resolve("no-such-board") + "\n");
        CliRun run = CliRun.of("restore", "--config", conf.toString());
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("no such directory") && run.err().contains("root in " + conf), run.err());
        assertEquals(before, TreeSnapshot.of(board), "the board and its journal are as they were");
    }

    /** Run as an unprivileged user, restore cannot write the knobs: it says root is needed and keeps the journal. */
    @Test
    void withoutRootRestoreSaysSoAndKeepsTheJournal() throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/setpriv").canExecute(), "needs setpriv to drop privileges");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to drop privileges");
        pinnedNano();
        Map<String, String> before = TreeSnapshot.of(board);
        Path classpath = worldReadableClasspath();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath.toString(),
                JoulegovCommand.class.getName(), "restore", "--root", board.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), err);
        List<String> lines = err.strip().lines().filter(l -> l.startsWith("joulegov: ")).toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).contains("permission denied writing sys/"), err);
        assertTrue(lines.get(0).contains("needs root"), err);
        assertEquals(before, TreeSnapshot.of(board), "nothing changed, the journal is kept");
    }

    /** The test class path copied where an unprivileged user can read it (~/.m2 is not). */
    private Path worldReadableClasspath() throws IOException {
        Path dir = tmp.resolve("cp");
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            Path target = dir.resolve(i++ + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (Stream<Path> files = Files.walk(source)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path t = target.resolve(source.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else if (Files.exists(source)) {
                Files.createDirectories(dir);
                Files.copy(source, target);
            }
            entries.add(target.toString());
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) all::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return Path.of(String.join(File.pathSeparator, entries));
    }
}
