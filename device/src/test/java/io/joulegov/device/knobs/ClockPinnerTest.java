package io.joulegov.device.knobs;

import io.joulegov.device.DeviceException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;
import io.joulegov.device.testing.TreeSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClockPinnerTest {

    @TempDir
    Path tmp;

    private Board board;
    private final List<String> writes = new ArrayList<>();

    private Board lay(Layout layout) {
        board = BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(layout, tmp)));
        return board;
    }

    private Path journalFile() {
        return RestoreJournal.defaultFile(board.root());
    }

    /** A pinner whose writer checks, after every single write, that no min/max pair is inverted. */
    private ClockPinner strictPinner() {
        SysRoot root = board.root();
        KnobWriter writer = new KnobWriter(root, file -> {
            writes.add(file.getFileName().toString());
            Path dir = file.getParent();
            for (String[] pair : new String[][] {{"scaling_min_freq", "scaling_max_freq"}, {"min_freq", "max_freq"}}) {
                if (Files.exists(dir.resolve(pair[0]))) {
                    long min = root.readLong(dir.resolve(pair[0]));
                    long max = root.readLong(dir.resolve(pair[1]));
                    assertTrue(min <= max, "after writing " + file + ": min " + min + " > max " + max);
                }
            }
        });
        return new ClockPinner(board, RestoreJournal.open(root, journalFile()), writer);
    }

    private String read(String rel) throws IOException {
        return Files.readString(tmp.resolve(rel)).trim();
    }

    @Test
    void cpuIsPinnedWithUserspaceAndJournaledBeforeTheFirstWrite() throws IOException {
        lay(Layout.NANO_JP4);
        CpuPolicy policy = board.cpuPolicies().get(0);
        long back = strictPinner().pinCpu(policy, 825600);
        assertEquals(825600, back);
        String dir = "sys/devices/system/cpu/cpufreq/policy0/";
        assertEquals("userspace", read(dir + "scaling_governor"));
        assertEquals("825600", read(dir + "scaling_setspeed"));
        String journal = Files.readString(journalFile());
        assertTrue(journal.contains("\"scaling_governor\" : \"schedutil\""), journal);
        assertTrue(journal.contains("\"scaling_min_freq\" : \"102000\""), journal);
    }

    @Test
    void withoutUserspaceCpuLimitsMoveInAnOrderTheKernelAccepts() {
        lay(Layout.XAVIER_NX_JP4);
        CpuPolicy policy = board.cpuPolicies().get(0);
        CpuPolicy noUserspace = new CpuPolicy(policy.name(), policy.dir(), policy.cpus(), policy.governor(),
                List.of("schedutil", "performance"), policy.frequenciesKHz(), policy.minKHz(), policy.maxKHz(), true);
        ClockPinner pinner = strictPinner();
        assertEquals(729600, pinner.pinCpu(noUserspace, 729600));
        assertEquals(List.of("scaling_min_freq", "scaling_max_freq"), writes, "lowering: min first");
        writes.clear();
        assertEquals(1907200, pinner.pinCpu(noUserspace, 1907200));
        assertEquals(List.of("scaling_max_freq", "scaling_min_freq"), writes, "raising: max first");
        writes.clear();
        pinner.release();
        assertEquals(List.of("scaling_min_freq"), writes, "restore lowers only the min back to 115200");
    }

    @Test
    void gpuPinsAndReleasesWithMinNeverAboveMax() throws IOException {
        lay(Layout.NANO_JP4);
        Map<String, String> before = TreeSnapshot.withoutSetspeed(tmp.resolve("sys"));
        ClockPinner pinner = strictPinner();
        assertEquals(460800000L, pinner.pinGpu(460800000L));
        String dir = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";
        assertEquals("460800000", read(dir + "min_freq"));
        assertEquals("460800000", read(dir + "max_freq"));
        assertEquals("nvhost_podgov", read(dir + "governor"));
        pinner.pinGpu(921600000L);
        pinner.pinGpu(76800000L);
        pinner.pinCpu(board.cpuPolicies().get(0), 1479000);
        pinner.release();
        assertEquals(before, TreeSnapshot.withoutSetspeed(tmp.resolve("sys")));
        assertFalse(Files.exists(journalFile()));
    }

    @Test
    void emcLocksThroughBpmpAndThroughTheT210Override() throws IOException {
        lay(Layout.XAVIER_NX_JP5);
        ClockPinner pinner = strictPinner();
        assertEquals(800000000L, pinner.pinEmc(800000000L));
        assertEquals("1", read("sys/kernel/debug/bpmp/debug/clk/emc/mrq_rate_locked"));
        assertEquals("800000000", read("sys/kernel/debug/bpmp/debug/clk/emc/rate"));
        pinner.release();
        assertEquals("0", read("sys/kernel/debug/bpmp/debug/clk/emc/mrq_rate_locked"));
        assertEquals("1866000000", read("sys/kernel/debug/bpmp/debug/clk/emc/rate"));
    }

    @Test
    void nanoEmcUsesTheOverrideClock() throws IOException {
        lay(Layout.NANO_JP4);
        strictPinner().pinEmc(665600000L);
        assertEquals("1", read("sys/kernel/debug/clk/override.emc/clk_state"));
        assertEquals("665600000", read("sys/kernel/debug/clk/override.emc/clk_update_rate"));
        assertEquals(List.of("clk_update_rate", "clk_state"), writes);
    }

    @Test
    void anUnavailableFrequencyLeavesTheBoardAndTheJournalUntouched() {
        lay(Layout.NANO_JP4);
        Map<String, String> before = TreeSnapshot.of(tmp);
        ClockPinner pinner = strictPinner();
        DeviceException e = assertThrows(DeviceException.class, () -> pinner.pinGpu(500000000L));
        assertEquals("500000000 Hz is not an available frequency of GPU 57000000.gpu (available: 76800000 .. 921600000, 12 steps)",
                e.getMessage());
        assertThrows(DeviceException.class, () -> pinner.pinCpu(board.cpuPolicies().get(0), 1500000));
        assertThrows(DeviceException.class, () -> pinner.pinEmc(1866000000L));
        assertEquals(before, TreeSnapshot.of(tmp));
    }

    @Test
    void anEmptyFrequencyTableIsRefusedInWords() throws IOException {
        FakeBoards.lay(Layout.NANO_JP4, tmp);
        Files.writeString(tmp.resolve("sys/devices/system/cpu/cpufreq/policy0/scaling_available_frequencies"), "\n");
        board = BoardDiscovery.discover(SysRoot.of(tmp));
        DeviceException e = assertThrows(DeviceException.class, () -> strictPinner().pinCpu(board.cpuPolicies().get(0), 102000));
        assertEquals("policy0 publishes no table of available frequencies: joulegov cannot pin it", e.getMessage());
        assertFalse(Files.exists(journalFile()));
    }

    @Test
    void aValueTheKernelClampsIsReportedAsAMismatch() {
        lay(Layout.NANO_JP4);
        SysRoot root = board.root();
        Path maxFile = board.gpu().orElseThrow().dir().resolve("max_freq");
        // the "kernel" caps max_freq at 614.4 MHz, as an nvpmodel or thermal cap would
        KnobWriter clamping = new KnobWriter(root, file -> {
            if (file.equals(maxFile)) {
                try {
                    Files.writeString(file, "614400000\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, journalFile()), clamping);
        pinner.pinGpu(768000000L);
        assertEquals(List.of(new Mismatch("sys/devices/57000000.gpu/devfreq/57000000.gpu/max_freq", "768000000", "614400000")),
                pinner.mismatches());
    }

    @Test
    void aJournalLeftByACrashKeepsTheOriginalsWhenPinningResumes() {
        lay(Layout.ORIN_NANO_JP6);
        Map<String, String> before = TreeSnapshot.withoutSetspeed(tmp.resolve("sys"));
        ClockPinner first = strictPinner();
        first.pinGpu(306000000L);
        first.pinCpu(board.cpuPolicies().get(1), 729600);
        // the process dies here; a new one opens the journal it left and pins again
        ClockPinner second = strictPinner();
        second.pinGpu(510000000L);
        second.pinCpu(board.cpuPolicies().get(0), 1510400);
        second.pinEmc(665600000L);
        second.release();
        assertEquals(before, TreeSnapshot.withoutSetspeed(tmp.resolve("sys")));
    }
}
