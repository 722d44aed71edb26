package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareAndDemoTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void compareReportsEveryModeAsTheContractSays() throws Exception {
        CliRun run = CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--slowdown", "1.4",
                "--percentile", "p99", "--duration", "30", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode doc = JSON.readTree(run.out());
        assertEquals("nano", doc.path("board").asText());
        assertEquals("alexnet", doc.path("model").asText());
        assertTrue(doc.path("budgetMs").asDouble() > 25);
        for (String mode : List.of("dvfs", "static", "adaptive", "oracle")) {
            JsonNode m = doc.path("modes").path(mode);
            for (String key : List.of("energyJPerInference", "meanMs", "p95Ms", "p99Ms", "missRate", "savingVsDvfs")) {
                assertTrue(m.path(key).isNumber(), mode + "." + key);
            }
        }
        assertEquals(0.0, doc.path("modes").path("dvfs").path("savingVsDvfs").asDouble());
        double oracle = doc.path("modes").path("oracle").path("savingVsDvfs").asDouble();
        double adaptive = doc.path("modes").path("adaptive").path("savingVsDvfs").asDouble();
        assertTrue(oracle > 0.05 && adaptive > 0.05, "joulegov saves energy on the calibrated board: " + adaptive + ", " + oracle);
        assertTrue(doc.path("modes").path("adaptive").path("missRate").asDouble() <= 0.015);
    }

    @Test
    void compareUnderDisturbancesAndWithIdleGaps() throws Exception {
        for (String d : List.of("thermal", "cpu-contention")) {
            CliRun run = CliRun.of("compare", "--virtual", "nano", "--model", "bert-tiny", "--slowdown", "1.5",
                    "--duration", "60", "--disturbance", d, "--json");
            assertEquals(0, run.exitCode(), d + ": " + run.err());
            assertTrue(JSON.readTree(run.out()).path("modes").path("adaptive").path("missRate").asDouble() <= 0.06, d);
        }
        CliRun gaps = CliRun.of("compare", "--virtual", "nano", "--model", "resnet18", "--slowdown", "1.4", "--rate", "10",
                "--duration", "30", "--json");
        assertEquals(0, gaps.exitCode(), gaps.err());
    }

    @Test
    void compareRefusesBadRequests() {
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "alexnet").exitCode(), "no budget");
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--slowdown", "1.4",
                "--disturbance", "earthquake").exitCode());
        assertEquals(2, CliRun.of("compare", "--virtual", "tx1", "--model", "alexnet", "--slowdown", "1.4").exitCode());
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "vgg", "--slowdown", "1.4").exitCode());
        CliRun tight = CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--budget-ms", "5", "--duration", "5");
        assertEquals(3, tight.exitCode());
        assertTrue(tight.oneLineError() && tight.err().contains("no operating point meets 5.00 ms"), tight.err());
    }

    @Test
    void theDemoProfilesComparesAndPlotsTheSixWorkloads() throws Exception {
        Path out = tmp.resolve("demo");
        CliRun run = CliRun.of("demo", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        for (String w : List.of("alexnet", "resnet18", "mobilenet-v2", "yolov4-tiny", "bert-tiny", "distilbert")) {
            String row = run.out().lines().filter(l -> l.startsWith(w + " ")).findFirst().orElseThrow();
            double staticSaving = Double.parseDouble(row.split("\\|")[1].trim().split("%")[0]);
            assertTrue(staticSaving > 3, w + ": " + row);
            assertTrue(Files.exists(out.resolve("profiles").resolve(w + ".json")));
            assertTrue(Files.exists(out.resolve("plots").resolve(w).resolve("pareto.png")));
            assertTrue(Files.exists(out.resolve("plots").resolve(w).resolve("energy.png")));
        }
        assertTrue(run.out().contains("not from measurement"), "the demo says where its savings come from");
    }
}
