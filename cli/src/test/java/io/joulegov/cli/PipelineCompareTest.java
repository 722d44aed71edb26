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

/** Issue 28: {@code compare} takes a pipeline, its members side by side on one virtual board. */
class PipelineCompareTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPipelineRunsItsMembersSideBySideUnderEveryModeAndTheOracleKeepsEveryMembersBudget(@TempDir Path plots)
            throws Exception {
        CliRun run = CliRun.of("compare", "--virtual", "nano", "--model", "mobilenet-v2", "--rate", "15", "--model", "bert-tiny",
                "--rate", "30", "--slowdown", "1.4", "--percentile", "p99", "--duration", "15", "--json",
                "--plot", plots.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode doc = JSON.readTree(run.out());
        assertEquals("p99", doc.path("percentile").asText());
        JsonNode top = doc.path("modes").path("jetson-clocks").path("members");
        for (JsonNode m : doc.path("members")) {
            String model = m.path("model").asText();
            // each member's budget: its latency with every clock at its top and the other running, times the slowdown
            assertEquals(1.4 * top.path(model).path("p99Ms").asDouble(), m.path("budgetMs").asDouble(), 1e-9, model);
        }
        assertEquals(List.of(15.0, 30.0), List.of(doc.path("members").get(0).path("rate").asDouble(),
                doc.path("members").get(1).path("rate").asDouble()));
        for (String mode : List.of("dvfs", "jetson-clocks", "mode-5W", "max-of-singles", "adaptive", "oracle")) {
            JsonNode m = doc.path("modes").path(mode);
            assertTrue(m.path("energyJ").asDouble() > 0 && m.path("watts").asDouble() > 0, mode);
            for (String model : List.of("mobilenet-v2", "bert-tiny")) {
                JsonNode member = m.path("members").path(model);
                for (String key : List.of("missRate", "meanMs", "p50Ms", "p95Ms", "p99Ms")) {
                    assertTrue(member.path(key).isNumber(), mode + "." + model + "." + key);
                }
                // arrivals at 15 and 30 a second for 15 s
                assertTrue(member.path("inferences").asLong() > (model.equals("bert-tiny") ? 300 : 150), mode + " " + member);
            }
        }
        JsonNode oracle = doc.path("modes").path("oracle");
        for (String model : List.of("mobilenet-v2", "bert-tiny")) {
            assertTrue(oracle.path("members").path(model).path("missRate").asDouble() <= 0.01, model + " " + oracle);
        }
        assertTrue(oracle.path("savingVsDvfs").asDouble() > 0.03, "a fixed point below the top saves: " + oracle);
        assertTrue(doc.path("modes").path("max-of-singles").path("savingVsDvfs").asDouble() > 0, "the rule before mixes saves too");
        JsonNode adaptive = doc.path("modes").path("adaptive");
        assertTrue(adaptive.path("savingVsDvfs").asDouble() > 0.03, "the mix governed saves: " + adaptive);
        assertEquals("bert-tiny+mobilenet-v2", adaptive.path("mix").path("members").asText(), "governed as one mix: " + adaptive);
        // --plot: a timeline per mode with each member's latency against its budget, the modes side by side, the numbers
        for (String f : List.of("timeline-adaptive.png", "timeline-max-of-singles.svg", "modes.png", "timeline.csv")) {
            assertTrue(Files.size(plots.resolve(f)) > 1000, f);
        }
        List<String> rows = Files.readAllLines(plots.resolve("timeline.csv"));
        assertTrue(rows.get(0).startsWith("mode,member,seconds,"), rows.get(0));
        for (String member : List.of("mobilenet-v2", "bert-tiny")) {
            assertTrue(rows.stream().filter(r -> r.startsWith("adaptive," + member + ",")).count() >= 14, member);
        }
    }

    @Test
    void aPipelineWhoseModelsAndRatesDoNotPairIsRefusedWithOneLine() {
        for (List<String> bad : List.of(
                List.of("--model", "alexnet", "--rate", "10", "--model", "resnet18"),
                List.of("--model", "alexnet", "--rate", "10", "--model", "resnet18", "--rate", "0"),
                List.of("--model", "alexnet", "--rate", "10", "--model", "alexnet", "--rate", "10"),
                List.of("--model", "alexnet", "--rate", "10", "--rate", "20"))) {
            List<String> args = new java.util.ArrayList<>(List.of("compare", "--virtual", "nano", "--slowdown", "1.4"));
            args.addAll(bad);
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), bad + ": " + run.err());
            assertTrue(run.oneLineError(), run.err());
        }
        CliRun ms = CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--rate", "10", "--model", "resnet18",
                "--rate", "20", "--budget-ms", "50");
        assertEquals(2, ms.exitCode());
        assertTrue(ms.err().contains("a pipeline's budget is --slowdown"), ms.err());
    }
}
