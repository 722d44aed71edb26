package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.policies.profile.Measurement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        for (String mode : List.of("dvfs", "jetson-clocks", "mode-5W", "static", "adaptive", "oracle")) {
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

    /** Issue 27: on the Orin the memory clock is a third axis, and the peers are its power modes and an EMC-blind governor. */
    @Test
    void onTheOrinNanoSuperJoulegovGovernsTheEmcAgainstEachPowerModeAndAnEmcBlindGovernor() throws Exception {
        Path plots = tmp.resolve("orin");
        CliRun run = CliRun.of("compare", "--virtual", "orin-nano-super", "--model", "mobilenet-v2", "--slowdown", "1.4",
                "--percentile", "p99", "--duration", "20", "--plot", plots.toString());
        assertEquals(0, run.exitCode(), run.err());
        Map<String, String[]> rows = new HashMap<>();
        for (String line : run.out().split("\n")) {
            String[] cells = line.trim().split("\\s+");
            rows.put(cells[0], cells);
        }
        assertEquals(List.of("dvfs", "jetson-clocks", "mode-15W", "mode-25W", "mode-7W", "static", "emc-blind", "adaptive",
                "oracle"), List.of(run.out().split("\n")).stream().skip(2).filter(l -> !l.startsWith("wrote ")).map(l -> l.split(" ")[0]).toList());
        assertTrue(String.join(" ", rows.get("static")).contains("EMC"), "the profile's choice holds the EMC: " + run.out());
        double adaptive = Double.parseDouble(rows.get("adaptive")[1]);
        for (String peer : List.of("dvfs", "jetson-clocks", "mode-25W", "emc-blind")) {
            assertTrue(adaptive < Double.parseDouble(rows.get(peer)[1]), "cheaper than " + peer + ": " + run.out());
        }
        assertTrue(Double.parseDouble(rows.get("adaptive")[5].replace("%", "")) <= 1.0, run.out());
        // the timelines show the EMC: held by adaptive, left to the kernel by emc-blind, run by the board in both
        Map<String, List<Map<String, Double>>> timeline = timeline(plots.resolve("timeline.csv"));
        assertTrue(timeline.get("adaptive").stream().allMatch(x -> x.get("emc_held_mhz") > 0 && x.get("emc_mhz") > 0));
        assertTrue(timeline.get("emc-blind").stream().allMatch(x -> x.get("emc_held_mhz").isNaN() && x.get("emc_mhz") > 0));

        CliRun blind = CliRun.of("compare", "--virtual", "orin-nano-super", "--model", "mobilenet-v2", "--slowdown", "1.4",
                "--duration", "5", "--no-emc", "--json");
        assertEquals(0, blind.exitCode(), blind.err());
        assertTrue(JSON.readTree(blind.out()).path("modes").path("emc-blind").isMissingNode(), "--no-emc: the EMC is left to the kernel throughout");
    }

    /** Issue 14's case: a sparse profile made on unit 0 governs unit 3, whose silicon differs. */
    @Test
    void onAnotherUnitTheGovernorLearnsWhatTheProfileOfUnitZeroGotWrong() throws Exception {
        Path p0 = tmp.resolve("unit0.json");
        assertEquals(0, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "mobilenet-v2", "--grid", "sparse", "--out",
                p0.toString()).exitCode());
        CliRun run = CliRun.of("compare", "--virtual", "nano", "--unit", "3", "--model", "mobilenet-v2", "--slowdown", "1.4",
                "--percentile", "p99", "--profile", p0.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode modes = JSON.readTree(run.out()).path("modes");
        double adaptive = modes.path("adaptive").path("energyJPerInference").asDouble();
        double oracle = modes.path("oracle").path("energyJPerInference").asDouble();
        double stat = modes.path("static").path("energyJPerInference").asDouble();
        assertTrue(stat > oracle * 1.01, "unit 0's choice is not this unit's: " + stat + " vs " + oracle);
        assertTrue(adaptive <= oracle * 1.02, "adaptive " + adaptive + " vs the oracle " + oracle);
        assertTrue(adaptive < stat, "learning found better than unit 0's choice: " + adaptive + " vs " + stat);
        assertTrue(modes.path("adaptive").path("missRate").asDouble() <= 0.01);
        for (String peer : List.of("dvfs", "jetson-clocks", "mode-5W")) {
            assertTrue(adaptive < modes.path(peer).path("energyJPerInference").asDouble(), "cheaper than " + peer);
        }
    }

    /** Issue 14's other case: no profile at all; what adaptive learned is the next run's profile. */
    @Test
    void withNoProfileAdaptiveLearnsTheModelFromNothingAndTheNextRunStartsFromIt() throws Exception {
        Path learned = tmp.resolve("learned.json");
        CliRun run = CliRun.of("compare", "--virtual", "nano", "--unit", "3", "--model", "alexnet", "--slowdown", "1.4",
                "--percentile", "p99", "--no-profile", "--duration", "300", "--save-learned", learned.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode modes = JSON.readTree(run.out()).path("modes");
        assertTrue(modes.path("static").isMissingNode(), "no profile, no static mode");
        double adaptive = modes.path("adaptive").path("energyJPerInference").asDouble();
        double oracle = modes.path("oracle").path("energyJPerInference").asDouble();
        assertTrue(adaptive <= oracle * 1.05, "adaptive " + adaptive + " vs the oracle " + oracle);
        assertTrue(modes.path("adaptive").path("missRate").asDouble() <= 0.02);
        assertTrue(ProfileStore.read(learned).rows().stream().filter(m -> m.source() == Measurement.Source.LEARNED).count() >= 6);

        CliRun next = CliRun.of("compare", "--virtual", "nano", "--unit", "3", "--model", "alexnet", "--slowdown", "1.4",
                "--percentile", "p99", "--profile", learned.toString(), "--json");
        assertEquals(0, next.exitCode(), next.err());
        JsonNode again = JSON.readTree(next.out()).path("modes");
        assertTrue(again.path("adaptive").path("energyJPerInference").asDouble()
                <= again.path("oracle").path("energyJPerInference").asDouble() * 1.02, next.out());
        assertTrue(again.path("adaptive").path("missRate").asDouble() <= 0.01);
    }

    @Test
    void compareUnderDisturbancesPlotsWhatEachModeDidAndWithIdleGaps() throws Exception {
        Map<String, Map<String, List<Map<String, Double>>>> timelines = new HashMap<>();
        Map<String, Double> budgets = new HashMap<>();
        for (String d : List.of("thermal", "cpu-contention")) {
            Path plots = tmp.resolve(d);
            // the board takes a while to heat up to its trip: thermal runs longer
            CliRun run = CliRun.of("compare", "--virtual", "nano", "--model", "bert-tiny", "--slowdown", "1.5",
                    "--duration", d.equals("thermal") ? "120" : "60", "--disturbance", d, "--json", "--plot", plots.toString());
            assertEquals(0, run.exitCode(), d + ": " + run.err());
            JsonNode doc = JSON.readTree(run.out());
            assertTrue(doc.path("modes").path("adaptive").path("missRate").asDouble() <= 0.06, d);
            budgets.put(d, doc.path("budgetMs").asDouble());
            String pareto = ChartFilesCheck.pngAndSvg(plots, "pareto");
            assertTrue(pareto.contains("chosen: CPU ") && pareto.contains("adaptive (run)") && pareto.contains("dvfs (run)"), d);
            ChartFilesCheck.pngAndSvg(plots, "modes");
            for (String mode : List.of("dvfs", "jetson-clocks", "mode-5W", "static", "adaptive", "oracle")) {
                assertTrue(ChartFilesCheck.pngAndSvg(plots, "timeline-" + mode).contains(d), mode + "'s timeline names " + d);
            }
            timelines.put(d, timeline(plots.resolve("timeline.csv")));
        }
        // contention in the middle third: the fixed choice misses its budget there, the governor raises the CPU clock
        List<Map<String, Double>> fixed = between(timelines.get("cpu-contention").get("static"), 20, 40);
        assertTrue(fixed.stream().anyMatch(s -> s.get("latency_ms") > budgets.get("cpu-contention")),
                "static's p95 over the budget while contended: " + fixed);
        List<Map<String, Double>> governed = timelines.get("cpu-contention").get("adaptive");
        double before = between(governed, 0, 20).stream().mapToDouble(s -> s.get("cpu_held_mhz")).max().orElseThrow();
        double during = between(governed, 20, 40).stream().mapToDouble(s -> s.get("cpu_held_mhz")).max().orElseThrow();
        assertTrue(during > before, "adaptive raises the CPU clock it holds: " + before + " MHz before, " + during + " during");
        // heat in the middle third: at the top clocks the board throttles below what is held
        assertTrue(between(timelines.get("thermal").get("jetson-clocks"), 40, 90).stream()
                        .anyMatch(s -> s.get("cpu_mhz") < s.get("cpu_held_mhz") || s.get("gpu_mhz") < s.get("gpu_held_mhz")),
                "the actual clocks fall below the held ones");
        CliRun gaps = CliRun.of("compare", "--virtual", "nano", "--model", "resnet18", "--slowdown", "1.4", "--rate", "10",
                "--duration", "30", "--json");
        assertEquals(0, gaps.exitCode(), gaps.err());
    }

    /** timeline.csv, mode by mode, each sample's columns by name (an empty cell is NaN). */
    private static Map<String, List<Map<String, Double>>> timeline(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(",");
        Map<String, List<Map<String, Double>>> byMode = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            Map<String, Double> sample = new HashMap<>();
            for (int i = 1; i < header.length; i++) {
                sample.put(header[i], cells[i].isEmpty() ? Double.NaN : Double.parseDouble(cells[i]));
            }
            byMode.computeIfAbsent(cells[0], m -> new ArrayList<>()).add(sample);
        }
        return byMode;
    }

    private static List<Map<String, Double>> between(List<Map<String, Double>> samples, double fromS, double toS) {
        return samples.stream().filter(s -> s.get("seconds") >= fromS && s.get("seconds") < toS).toList();
    }

    @Test
    void compareRefusesBadRequests() {
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "alexnet").exitCode(), "no budget");
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--slowdown", "1.4",
                "--disturbance", "earthquake").exitCode());
        assertEquals(2, CliRun.of("compare", "--virtual", "tx1", "--model", "alexnet", "--slowdown", "1.4").exitCode());
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "vgg", "--slowdown", "1.4").exitCode());
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--unit", "-2", "--model", "alexnet", "--slowdown", "1.4").exitCode());
        assertEquals(2, CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--slowdown", "1.4", "--no-profile",
                "--profile", "x.json").exitCode());
        Path other = tmp.resolve("resnet18.json");
        assertEquals(0, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "resnet18", "--grid", "sparse", "--out",
                other.toString()).exitCode());
        CliRun wrongModel = CliRun.of("compare", "--virtual", "nano", "--model", "alexnet", "--slowdown", "1.4",
                "--duration", "5", "--profile", other.toString());
        assertEquals(2, wrongModel.exitCode());
        assertTrue(wrongModel.oneLineError() && wrongModel.err().contains("is of model resnet18, not alexnet"), wrongModel.err());
        CliRun wrongBoard = CliRun.of("compare", "--virtual", "xavier-nx", "--model", "resnet18", "--slowdown", "1.4",
                "--duration", "5", "--profile", other.toString());
        assertEquals(2, wrongBoard.exitCode());
        assertTrue(wrongBoard.err().contains("was made on a jetson-nano"), wrongBoard.err());
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
            // jetson-clocks, low-power, static, adaptive, oracle (savings against dvfs), the study's figure
            String[] saved = row.split("\\|")[1].trim().split("%?\\s+");
            double jetsonClocks = Double.parseDouble(saved[0].replace("%", ""));
            double staticSaving = Double.parseDouble(saved[2].replace("%", ""));
            double adaptiveSaving = Double.parseDouble(saved[3].replace("%", ""));
            assertTrue(staticSaving > 3 && adaptiveSaving > 3, w + ": " + row);
            assertTrue(adaptiveSaving > jetsonClocks, w + ": " + row);
            assertTrue(Files.exists(out.resolve("profiles").resolve(w + ".json")));
            ChartFilesCheck.pngAndSvg(out.resolve("plots").resolve(w).resolve("profile"), "energy");
            ChartFilesCheck.pngAndSvg(out.resolve("plots").resolve(w).resolve("compare"), "pareto");
        }
        assertTrue(run.out().contains("not from measurement"), "the demo says where its savings come from");
        Path report = out.resolve("report.html");
        assertTrue(run.out().strip().endsWith(report.toString()), "the demo ends by naming its report: " + run.out());
        String html = Files.readString(report);
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.strip().endsWith("</html>"));
        assertTrue(html.contains("<table id=\"results\">") && html.contains("not from measurement"));
        assertFalse(html.contains("http://") || html.contains("https://"), "no link leaves the page");
        assertFalse(Pattern.compile("src=\"(?!data:image/png;base64,)").matcher(html).find(), "every picture is embedded");
        for (String w : List.of("alexnet", "resnet18", "mobilenet-v2", "yolov4-tiny", "bert-tiny", "distilbert")) {
            int from = html.indexOf("<section id=\"" + w + "\">");
            assertTrue(from > 0, w + " has a section");
            String section = html.substring(from, html.indexOf("</section>", from));
            for (String figure : List.of("energy per inference over the clock grid", "latency over the clock grid",
                    "the frontier and each mode's run", "energy and misses by mode", "dvfs over time", "adaptive over time")) {
                assertTrue(section.contains("alt=\"" + figure + "\" src=\"data:image/png;base64,"), w + ": " + figure);
            }
        }
    }
}
