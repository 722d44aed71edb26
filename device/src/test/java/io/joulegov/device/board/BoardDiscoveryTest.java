package io.joulegov.device.board;

import io.joulegov.device.DeviceException;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoardDiscoveryTest {

    @TempDir
    Path tmp;

    private Board discover(Layout layout) {
        return BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(layout, tmp)));
    }

    private static List<String> railSummary(Board board) {
        return board.rails().stream().map(r -> r.name() + "=" + r.role().label()).toList();
    }

    @Test
    void nanoJetPack4() throws IOException {
        Board b = discover(Layout.NANO_JP4);
        assertEquals(new BoardIdentity("jetson-nano", "NVIDIA Jetson Nano Developer Kit", "32.7.1", 0, "1422019012345"), b.identity());
        assertEquals(1, b.cpuPolicies().size());
        CpuPolicy p = b.cpuPolicies().get(0);
        assertEquals("policy0", p.name());
        assertEquals(List.of(0, 1, 2, 3), p.cpus());
        assertEquals("schedutil", p.governor());
        assertEquals(FakeBoards.NANO_CPU_KHZ, p.frequenciesKHz());
        assertEquals(102000, p.minKHz());
        assertEquals(1479000, p.maxKHz());
        assertTrue(p.hasSetspeed());
        GpuDevfreq gpu = b.gpu().orElseThrow();
        assertEquals("57000000.gpu", gpu.name());
        assertEquals("nvhost_podgov", gpu.governor());
        assertEquals(FakeBoards.NANO_GPU_HZ, gpu.frequenciesHz());
        assertEquals(tmp.toRealPath().resolve("sys/devices/57000000.gpu/devfreq/57000000.gpu"), gpu.dir());
        assertEquals(tmp.toRealPath().resolve("sys/devices/57000000.gpu/load"), gpu.loadFile());
        Emc emc = b.emc().orElseThrow();
        assertEquals(Emc.Interface.T210_OVERRIDE, emc.kind());
        assertEquals(1600000000L, emc.rateHz());
        assertTrue(emc.lockable());
        assertEquals(FakeBoards.T210_EMC_HZ, emc.ratesHz());
        assertEquals(List.of("POM_5V_IN=total", "POM_5V_GPU=gpu", "POM_5V_CPU=cpu"), railSummary(b));
        assertEquals(List.of("AO-therm", "CPU-therm", "GPU-therm", "PLL-therm", "PMIC-Die", "thermal-fan-est"),
                b.thermalZones().stream().map(ThermalZone::name).toList());
        ThermalZone cpu = b.thermalZones().get(1);
        assertEquals(37.0, cpu.tempC());
        assertEquals(97.0, cpu.passiveTrip().orElseThrow().tempC());
    }

    @Test
    void xavierNxJetPack4UsesIioRailsAndSkipsOtherDevfreqNodes() {
        Board b = discover(Layout.XAVIER_NX_JP4);
        assertEquals("jetson-xavier-nx", b.identity().kind());
        assertEquals("32.7.1", b.identity().l4t());
        assertEquals(List.of("policy0", "policy2", "policy4"), b.cpuPolicies().stream().map(CpuPolicy::name).toList());
        assertEquals(List.of(2, 3), b.cpuPolicies().get(1).cpus());
        assertEquals(25, b.cpuPolicies().get(2).frequenciesKHz().size());
        assertEquals("17000000.gv11b", b.gpu().orElseThrow().name());
        assertEquals(15, b.gpu().orElseThrow().frequenciesHz().size());
        assertEquals(Emc.Interface.BPMP, b.emc().orElseThrow().kind());
        assertEquals(List.of("VDD_IN=total", "VDD_CPU_GPU_CV=cpu-gpu", "VDD_SOC=soc"), railSummary(b));
        assertTrue(b.rails().get(0).reading() instanceof PowerRail.PowerFile f && f.wattsPerUnit() == 1e-3);
        // the BPMP's table as printed in kHz under bpmp/debug/emc, read in Hz
        assertEquals(FakeBoards.T194_EMC_HZ, b.emc().orElseThrow().ratesHz());
    }

    @Test
    void tx2OnL4t28FindsItsSixRailsInIioDeviceFolders() {
        Board b = discover(Layout.TX2_L4T28);
        assertEquals("jetson-tx2", b.identity().kind());
        assertEquals("28.2.1", b.identity().l4t());
        assertEquals(List.of("VDD_SYS_GPU=gpu", "VDD_SYS_SOC=soc", "VDD_4V0_WIFI=other", "VDD_IN=total",
                "VDD_SYS_CPU=cpu", "VDD_SYS_DDR=other"), railSummary(b));
        assertTrue(b.rails().get(3).reading() instanceof PowerRail.PowerFile f
                && f.file().toString().endsWith("0-0041/iio_device/in_power0_input"), b.rails().get(3).reading().toString());
        assertEquals(List.of(List.of(0, 3, 4, 5), List.of(1, 2)), b.cpuPolicies().stream().map(CpuPolicy::cpus).toList());
        assertEquals("17000000.gp10b", b.gpu().orElseThrow().name());
        assertEquals(Emc.Interface.BPMP, b.emc().orElseThrow().kind());
        assertEquals(FakeBoards.T194_EMC_HZ.subList(0, 7), b.emc().orElseThrow().ratesHz());
    }

    @Test
    void xavierAndOrinReadTheBpmpClocksPossibleRatesInHz() {
        for (Layout layout : List.of(Layout.XAVIER_NX_JP5, Layout.ORIN_NANO_JP6)) {
            Board b = BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(layout, tmp.resolve(layout.name()))));
            Emc emc = b.emc().orElseThrow();
            assertTrue(emc.lockable(), layout.name());
            assertEquals(layout == Layout.XAVIER_NX_JP5 ? FakeBoards.T194_EMC_HZ : FakeBoards.T194_EMC_HZ.subList(0, 7),
                    emc.ratesHz(), layout.name());
        }
    }

    /** A power mode's EMC cap (nvpmodel writes it; the kernel holds it over a locked rate): rates above it never run. */
    @Test
    void theRatesWithinThePowerModesEmcCapAreThoseAPinMayHold() throws IOException {
        Path root = FakeBoards.lay(Layout.ORIN_NANO_JP6, tmp.resolve("orin"));
        SysRoot sys = SysRoot.of(root);
        Emc emc = BoardDiscovery.discover(sys).emc().orElseThrow();
        assertNotNull(emc.capFile(), "JetPack 6 has nvpmodel's EMC cap");
        assertEquals(emc.ratesHz(), emc.ratesWithinCap(sys), "0 in the file: no cap");
        Files.writeString(emc.capFile(), "1331200000\n");
        assertEquals(emc.ratesHz().stream().filter(r -> r <= 1331200000L).toList(), emc.ratesWithinCap(sys));
        assertNull(BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(Layout.NANO_JP4, tmp.resolve("nano")))).emc()
                .orElseThrow().capFile(), "L4T 32 has none");
    }

    @Test
    void emcTablesInEveryShapeTheKernelsPrint() {
        assertEquals(List.of(204000000L, 665600000L, 3199000000L),
                EmcRates.parse("204000000 665600000 3199000000\n", "bpmp/debug/clk/emc/possible_rates"));
        assertEquals(List.of(204000000L, 665600000L, 2133000000L),
                EmcRates.parse("204000 665600 2133000 (kHz)\n", "bpmp/debug/emc/possible_rates"));
        // T210 stats: kHz in newer L4T 32, Hz in older ones, under the same header; the time column is not a rate
        String stats = "rate kHz   time\n%s 12\n%s 5000\ntransitions:\t3\ntime-stamp:\t99\n";
        assertEquals(List.of(204000000L, 1600000000L),
                EmcRates.parse(String.format(stats, "204000", "1600000"), "tegra_emc/stats"));
        assertEquals(List.of(204000000L, 1600000000L),
                EmcRates.parse(String.format(stats, "204000000", "1600000000"), "tegra_emc/stats"));
        DeviceException e = assertThrows(DeviceException.class, () -> EmcRates.parse("204000 fast", "emc/available_rates"));
        assertEquals("unexpected EMC rate 'fast' in emc/available_rates", e.getMessage());
    }

    @Test
    void anEmcWithoutARateTableIsLeftAlone() throws IOException {
        FakeBoards.lay(Layout.NANO_JP4, tmp);
        Files.delete(tmp.resolve("sys/kernel/debug/tegra_emc/stats"));
        Emc emc = BoardDiscovery.discover(SysRoot.of(tmp)).emc().orElseThrow();
        assertTrue(emc.ratesHz().isEmpty());
    }

    @Test
    void xavierNxJetPack5UsesHwmonRailsWithoutTheSumChannel() {
        Board b = discover(Layout.XAVIER_NX_JP5);
        assertEquals("35.4.1", b.identity().l4t());
        assertEquals(List.of("VDD_IN=total", "VDD_CPU_GPU_CV=cpu-gpu", "VDD_SOC=soc"), railSummary(b));
        assertTrue(b.rails().get(0).reading() instanceof PowerRail.VoltageCurrent);
        assertEquals(8, b.thermalZones().size());
    }

    @Test
    void orinNanoJetPack6() {
        Board b = discover(Layout.ORIN_NANO_JP6);
        assertEquals("jetson-orin-nano", b.identity().kind());
        assertEquals("36.4.0", b.identity().l4t());
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4, 5)), b.cpuPolicies().stream().map(CpuPolicy::cpus).toList());
        GpuDevfreq gpu = b.gpu().orElseThrow();
        assertEquals("17000000.gpu", gpu.name());
        assertTrue(gpu.dir().toString().endsWith("sys/devices/platform/bus@0/17000000.gpu/devfreq/17000000.gpu"));
        assertEquals(List.of("VDD_IN=total", "VDD_CPU_GPU_CV=cpu-gpu", "VDD_SOC=soc"), railSummary(b));
        // zones that read -256 C (offline) or nothing have no temperature
        assertNull(b.thermalZones().get(2).tempC());
        assertNull(b.thermalZones().get(5).tempC());
        assertEquals(44.312, b.thermalZones().get(0).tempC());
    }

    @Test
    void notConnectedChannelsAreSkipped() throws IOException {
        FakeBoards.lay(Layout.ORIN_NANO_JP6, tmp);
        Files.writeString(tmp.resolve("sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040/hwmon/hwmon1/in3_label"), "NC\n");
        Board b = BoardDiscovery.discover(SysRoot.of(tmp));
        assertEquals(List.of("VDD_IN=total", "VDD_CPU_GPU_CV=cpu-gpu"), railSummary(b));
    }

    @Test
    void aHostWithoutJetsonFilesIsGenericLinux() throws IOException {
        Files.createDirectories(tmp.resolve("sys/devices/system/cpu/cpu0"));
        Files.createDirectories(tmp.resolve("sys/class/powercap/intel-rapl:0"));
        Files.writeString(tmp.resolve("sys/class/powercap/intel-rapl:0/name"), "package-0\n");
        Files.createDirectories(tmp.resolve("sys/class/powercap/intel-rapl:0:0"));
        Board b = BoardDiscovery.discover(SysRoot.of(tmp));
        assertEquals("generic-linux", b.identity().kind());
        assertNull(b.identity().l4t());
        assertTrue(b.cpuPolicies().isEmpty());
        assertFalse(b.gpu().isPresent());
        assertEquals(List.of("package-0=cpu"), railSummary(b));
    }

    @Test
    void aDirectoryThatIsNoBoardIsRefusedInOneLine() {
        DeviceException e = assertThrows(DeviceException.class, () -> BoardDiscovery.discover(SysRoot.of(tmp)));
        assertTrue(e.getMessage().contains("is not a board root"), e.getMessage());
    }

    @Test
    void aMissingKnobFileIsNamed() throws IOException {
        FakeBoards.lay(Layout.NANO_JP4, tmp);
        Files.delete(tmp.resolve("sys/devices/system/cpu/cpufreq/policy0/scaling_min_freq"));
        DeviceException e = assertThrows(DeviceException.class, () -> BoardDiscovery.discover(SysRoot.of(tmp)));
        assertEquals("missing sys/devices/system/cpu/cpufreq/policy0/scaling_min_freq", e.getMessage());
    }

    @Test
    void garbageInAFrequencyTableIsNamed() throws IOException {
        FakeBoards.lay(Layout.NANO_JP4, tmp);
        Files.writeString(tmp.resolve("sys/devices/57000000.gpu/devfreq/57000000.gpu/available_frequencies"), "76800000 fast\n");
        DeviceException e = assertThrows(DeviceException.class, () -> BoardDiscovery.discover(SysRoot.of(tmp)));
        assertTrue(e.getMessage().contains("unexpected frequency 'fast'"), e.getMessage());
    }

    @Test
    void boardKindsFromModelStrings() {
        assertEquals("jetson-agx-orin", BoardIdentity.kindOf("Jetson AGX Orin Developer Kit", ""));
        assertEquals("jetson-orin-nx", BoardIdentity.kindOf("NVIDIA Jetson Orin NX Engineering Reference Developer Kit", ""));
        assertEquals("jetson-agx-xavier", BoardIdentity.kindOf("Jetson-AGX", ""));
        assertEquals("jetson-tx2", BoardIdentity.kindOf("quill", ""));
        assertEquals("jetson-nano", BoardIdentity.kindOf(null, "nvidia,p3450-0000"));
        assertEquals("generic-linux", BoardIdentity.kindOf("Raspberry Pi 4 Model B Rev 1.4", ""));
    }
}
