package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoardsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private JsonNode boardsJson(Layout layout) throws IOException {
        FakeBoards.lay(layout, tmp);
        CliRun run = CliRun.of("boards", "--root", tmp.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(1, run.out().strip().lines().count(), "one JSON object on one line");
        return JSON.readTree(run.out());
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(field == null ? n.asText() : n.path(field).asText()));
        return out;
    }

    @Test
    void nanoAsTheContractSaysIt() throws IOException {
        JsonNode doc = boardsJson(Layout.NANO_JP4);
        assertEquals(List.of("board", "model", "l4t", "cpu", "gpu", "emc", "rails", "boardPowerW", "thermal"),
                texts(fieldNames(doc), null));
        assertEquals("jetson-nano", doc.path("board").asText());
        assertEquals("32.7.1", doc.path("l4t").asText());
        JsonNode cpu = doc.path("cpu").get(0);
        assertEquals("policy0", cpu.path("policy").asText());
        assertEquals("[0,1,2,3]", cpu.path("cpus").toString());
        assertEquals(15, cpu.path("frequenciesKHz").size());
        assertEquals(102000, cpu.path("minKHz").asLong());
        assertEquals(1479000, cpu.path("maxKHz").asLong());
        assertEquals(1479000, cpu.path("curKHz").asLong());
        JsonNode gpu = doc.path("gpu");
        assertEquals("57000000.gpu", gpu.path("name").asText());
        assertEquals("sys/devices/57000000.gpu/devfreq/57000000.gpu", gpu.path("path").asText());
        assertEquals("nvhost_podgov", gpu.path("governor").asText());
        assertEquals(921600000L, gpu.path("maxHz").asLong());
        assertEquals(921600000L, gpu.path("curHz").asLong());
        assertEquals(1600000000L, doc.path("emc").path("rateHz").asLong());
        assertTrue(doc.path("emc").path("lockable").asBoolean());
        assertEquals(FakeBoards.T210_EMC_HZ.toString().replace(" ", ""), doc.path("emc").path("ratesHz").toString());
        assertEquals(List.of("POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"), texts(doc.path("rails"), "name"));
        assertEquals(List.of("total", "gpu", "cpu"), texts(doc.path("rails"), "role"));
        // in_powerN_input in mW: 5000 mV x 420 mA on the total rail
        assertEquals(List.of("2.1", "0.3", "0.55"), texts(doc.path("rails"), "powerW"));
        assertEquals(2.1, doc.path("boardPowerW").asDouble(), 1e-9);
        assertEquals("CPU-therm", doc.path("thermal").get(1).path("name").asText());
        assertEquals(37.0, doc.path("thermal").get(1).path("tempC").asDouble());
    }

    @Test
    void xavierNxOnJetPack4And5() throws IOException {
        for (Layout layout : List.of(Layout.XAVIER_NX_JP4, Layout.XAVIER_NX_JP5)) {
            Path dir = tmp.resolve(layout.name());
            FakeBoards.lay(layout, dir);
            CliRun run = CliRun.of("boards", "--root", dir.toString(), "--json");
            JsonNode doc = JSON.readTree(run.out());
            assertEquals("jetson-xavier-nx", doc.path("board").asText());
            assertEquals(layout == Layout.XAVIER_NX_JP4 ? "32.7.1" : "35.4.1", doc.path("l4t").asText());
            assertEquals(List.of("policy0", "policy2", "policy4"), texts(doc.path("cpu"), "policy"));
            assertEquals("17000000.gv11b", doc.path("gpu").path("name").asText());
            assertEquals(List.of("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"), texts(doc.path("rails"), "name"));
            assertEquals(List.of("total", "cpu-gpu", "soc"), texts(doc.path("rails"), "role"));
            assertEquals(8, doc.path("thermal").size());
        }
    }

    @Test
    void tx2OnL4t28ListsItsSixRailsWithVddInAsTheTotal() throws IOException {
        JsonNode doc = boardsJson(Layout.TX2_L4T28);
        assertEquals("jetson-tx2", doc.path("board").asText());
        assertEquals(List.of("VDD_SYS_GPU", "VDD_SYS_SOC", "VDD_4V0_WIFI", "VDD_IN", "VDD_SYS_CPU", "VDD_SYS_DDR"),
                texts(doc.path("rails"), "name"));
        assertEquals("total", doc.path("rails").get(3).path("role").asText());
        // the board's power is its total rail's (19.096 V x 200 mA), not the sum of all six
        assertEquals(3.819, doc.path("boardPowerW").asDouble(), 1e-9);
        assertEquals(7, doc.path("emc").path("ratesHz").size());
    }

    @Test
    void emcRatesAreEmptyWhereTheKernelPublishesNoTable() throws IOException {
        FakeBoards.lay(Layout.NANO_JP4, tmp);
        java.nio.file.Files.delete(tmp.resolve("sys/kernel/debug/tegra_emc/stats"));
        CliRun json = CliRun.of("boards", "--root", tmp.toString(), "--json");
        assertEquals("[]", JSON.readTree(json.out()).path("emc").path("ratesHz").toString());
        CliRun text = CliRun.of("boards", "--root", tmp.toString());
        assertTrue(text.out().contains("EMC      now 1600 MHz, not pinnable (the kernel publishes no rate table)"), text.out());
    }

    @Test
    void aMissingRootIsAUsageError() {
        CliRun run = CliRun.of("boards", "--root", tmp.resolve("nonexistent").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.oneLineError() && run.err().startsWith("joulegov: no such directory: "), run.err());
    }

    @Test
    void orinNanoWithOfflineZonesAsNull() throws IOException {
        JsonNode doc = boardsJson(Layout.ORIN_NANO_JP6);
        assertEquals("jetson-orin-nano", doc.path("board").asText());
        assertEquals("36.4.0", doc.path("l4t").asText());
        assertEquals("17000000.gpu", doc.path("gpu").path("name").asText());
        assertEquals("sys/devices/platform/bus@0/17000000.gpu/devfreq/17000000.gpu", doc.path("gpu").path("path").asText());
        assertTrue(doc.path("thermal").get(2).path("tempC").isNull(), "cv0-thermal reads -256 C: offline");
    }

    @Test
    void humanOutputNamesTheBoard() {
        FakeBoards.lay(Layout.NANO_JP4, tmp);
        CliRun run = CliRun.of("boards", "--root", tmp.toString());
        assertEquals(0, run.exitCode());
        assertTrue(run.out().startsWith("jetson-nano  NVIDIA Jetson Nano Developer Kit  (L4T 32.7.1, power mode 0)"), run.out());
        assertTrue(run.out().contains("POM_5V_IN (total) 2.10 W"), run.out());
        assertTrue(run.out().contains("Power    2.10 W board"), run.out());
        assertTrue(run.out().contains("limits 102-1479 MHz, now 1479 MHz"), run.out());
        assertTrue(run.out().contains("EMC      now 1600 MHz, pinnable at 204-1600 MHz (7 steps)"), run.out());
    }

    @Test
    void aRootThatIsNoBoardExitsOneInOneLine() {
        CliRun run = CliRun.of("boards", "--root", tmp.toString(), "--json");
        assertEquals(1, run.exitCode());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("is not a board root"), run.err());
        assertEquals("", run.out(), "nothing on stdout under --json when it fails");
    }

    @Test
    void usageErrorsExitTwo() {
        CliRun run = CliRun.of("boards", "--no-such-flag");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().startsWith("joulegov: Unknown option: '--no-such-flag'"), run.err());
        assertEquals(2, CliRun.of("no-such-command").exitCode());
        assertEquals(2, CliRun.of().exitCode());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("demo", "boards", "simulate", "profile", "import", "show", "recommend", "compare", "restore")) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), command);
            assertTrue(run.out().startsWith("Usage: joulegov " + command), run.out());
        }
    }

    private static JsonNode fieldNames(JsonNode doc) {
        var names = JSON.createArrayNode();
        doc.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
