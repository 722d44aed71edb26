package io.joulegov.device.knobs;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.RefusedException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;
import io.joulegov.device.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RestoreJournalTest {

    @TempDir
    Path tmp;

    private SysRoot root;
    private Board board;

    private Path journal() {
        return RestoreJournal.defaultFile(root);
    }

    private void layAndPin(Layout layout) {
        root = SysRoot.of(FakeBoards.lay(layout, tmp));
        board = BoardDiscovery.discover(root);
        ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, journal()));
        pinner.pinCpu(board.cpuPolicies().get(0), board.cpuPolicies().get(0).frequenciesKHz().get(3));
        pinner.pinGpu(board.gpu().orElseThrow().frequenciesHz().get(2));
    }

    /** Pins a Nano, rewrites the journal it left with {@code edit}, and expects restore to refuse it. */
    private void assertRefusedAndUntouched(UnaryOperator<String> edit, String expectedMessagePart) throws IOException {
        assertRefusedAndUntouched(edit, expectedMessagePart, MalformedFileException.class);
    }

    /** As above, expecting {@code type}: a corrupt journal is malformed, another root's is refused. */
    private void assertRefusedAndUntouched(UnaryOperator<String> edit, String expectedMessagePart,
                                           Class<? extends RuntimeException> type) throws IOException {
        layAndPin(Layout.NANO_JP4);
        Files.writeString(journal(), edit.apply(Files.readString(journal())));
        Map<String, String> before = TreeSnapshot.of(tmp);
        RuntimeException e = assertThrows(type, () -> RestoreJournal.open(root, journal()).restore());
        assertTrue(e.getMessage().contains(expectedMessagePart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(before, TreeSnapshot.of(tmp), "the board and the journal are as they were");
    }

    /** A journal in the format the first release wrote (resources/journals) still restores: a crash outlives upgrades. */
    @Test
    void aJournalWrittenByTheFirstReleaseStillRestores() throws IOException {
        root = SysRoot.of(FakeBoards.lay(Layout.NANO_JP4, tmp));
        Map<String, String> before = TreeSnapshot.of(tmp.resolve("sys"));
        String cpu = "sys/devices/system/cpu/cpufreq/policy0/";
        String gpu = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";
        Files.writeString(tmp.resolve(cpu + "scaling_governor"), "userspace\n");
        Files.writeString(tmp.resolve(cpu + "scaling_min_freq"), "403200\n");
        Files.writeString(tmp.resolve(gpu + "min_freq"), "460800000\n");
        Files.writeString(tmp.resolve(gpu + "max_freq"), "460800000\n");
        String old;
        try (var in = RestoreJournalTest.class.getResourceAsStream("/journals/nano-jp4-schema1.json")) {
            old = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.createDirectories(journal().getParent());
        Files.writeString(journal(), old.replace("\"ROOT\"", "\"" + root.root() + "\""));
        RestoreJournal.open(root, journal()).restore();
        assertEquals(before, TreeSnapshot.of(tmp.resolve("sys")), "every knob as the journal says it was");
        assertFalse(Files.exists(journal()));
    }

    @Test
    void aCorruptJournalIsRefusedAndTouchesNothing() throws IOException {
        assertRefusedAndUntouched(text -> text.substring(0, text.length() / 2), "corrupt restore journal");
    }

    @Test
    void aJournalOfAnotherSchemaIsRefused() throws IOException {
        assertRefusedAndUntouched(text -> text.replace("\"schema\" : 1", "\"schema\" : 99"), "unknown schema 99");
    }

    @Test
    void aJournalPointingOutsideTheRootIsRefused() throws IOException {
        assertRefusedAndUntouched(text -> text.replace("\"sys/devices/system/cpu/cpufreq/policy0\"", "\"../../etc\""), "directory outside the root");
    }

    @Test
    void aJournalNamingOtherFilesIsRefused() throws IOException {
        assertRefusedAndUntouched(text -> text.replace("\"scaling_max_freq\"", "\"../../../../etc/passwd\""), "unexpected entry");
    }

    @Test
    void aJournalOfAnotherRootSaysWhichRoot() throws IOException {
        assertRefusedAndUntouched(text -> text.replace(tmp.toString(), "/elsewhere"), "belongs to root /elsewhere",
                RefusedException.class);
    }

    @Test
    void aFailedRestoreKeepsTheJournalAndRestoresTheRest() throws IOException {
        layAndPin(Layout.NANO_JP4);
        Path cpuMin = tmp.resolve("sys/devices/system/cpu/cpufreq/policy0/scaling_min_freq");
        Files.delete(cpuMin);
        DeviceException e = assertThrows(DeviceException.class, () -> RestoreJournal.open(root, journal()).restore());
        assertTrue(e.getMessage().startsWith("restore incomplete, journal kept at "), e.getMessage());
        assertTrue(Files.exists(journal()));
        assertEquals("76800000", Files.readString(tmp.resolve("sys/devices/57000000.gpu/devfreq/57000000.gpu/min_freq")).trim());
        // once the file is back, a second restore finishes the job
        Files.writeString(cpuMin, "403200\n");
        RestoreJournal.open(root, journal()).restore();
        assertEquals("102000", Files.readString(cpuMin).trim());
        assertFalse(Files.exists(journal()));
    }

    /** kill -9 of a process in the middle of pinning, at random moments; restore must bring every file back. */
    @Test
    void killDashNineAtRandomMomentsIsUndoneByRestore() throws Exception {
        root = SysRoot.of(FakeBoards.lay(Layout.XAVIER_NX_JP5, tmp));
        Map<String, String> before = TreeSnapshot.withoutSetspeed(tmp.resolve("sys"));
        Random random = new Random(42);
        for (int round = 0; round < 4; round++) {
            Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), PinLoop.class.getName(), tmp.toString(),
                    Integer.toString(round)).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream()))) {
                assertEquals("pinning", out.readLine());
                Thread.sleep(30 + random.nextInt(200));
                victim.destroyForcibly();
                assertTrue(victim.waitFor(10, TimeUnit.SECONDS));
            }
            assertTrue(Files.exists(journal()), "the journal is written before the first knob");
            assertFalse(TreeSnapshot.withoutSetspeed(tmp.resolve("sys")).equals(before), "the victim had pinned something");
            RestoreJournal.open(root, journal()).restore();
            assertEquals(before, TreeSnapshot.withoutSetspeed(tmp.resolve("sys")), "round " + round);
            assertFalse(Files.exists(journal()));
            try (var left = Files.list(journal().getParent())) {
                assertEquals(0, left.count(), "no temp file left beside the journal");
            }
        }
    }
}
