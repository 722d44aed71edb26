package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real measurements from a public project (Zeus's profiling windows, test resources with their license) and
 * synthetic core x memory clock grids go through `joulegov import` and `joulegov recommend` and come out as a
 * brute-force search over the same rows picks them.
 */
class DatasetsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** One row as the test reads it back: clocks, mean latency (ms), energy (J). */
    record Row(long gpuHz, long emcHz, double meanMs, double energyJ) {
        double powerW() {
            return energyJ / (meanMs / 1e3);
        }
    }

    /** The Zeus profiles shipped as test resources (see their README for source and license). */
    static Path zeusProfiles() {
        try {
            return Path.of(DatasetsTest.class.getResource("/datasets/zeus_profiles/README.md").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A desktop GPU's core x memory clock grid (in 100 and 300 MHz steps), with time per iteration from a
     * compute part that scales with the core clock and a memory part with the memory clock, and power from a static
     * part plus a cubic core and a linear memory term: energy per iteration is U-shaped in the core clock, as
     * measured grids are. Seeded noise of a few percent keeps ties away.
     */
    static List<Row> coreMemoryGrid(long seed, int cores, int mems) {
        java.util.Random r = new java.util.Random(seed);
        double computeS = 0.5 + r.nextDouble(), memoryS = 0.1 + 0.4 * r.nextDouble();
        List<Row> rows = new ArrayList<>();
        for (int c = 0; c < cores; c++) {
            for (int m = 0; m < mems; m++) {
                long coreMHz = 600 + 100L * c;
                long memMHz = 600 + 300L * m;
                double seconds = (computeS * 1000 / coreMHz + memoryS * 1000 / memMHz) * (1 + 0.02 * r.nextGaussian());
                double ghz = coreMHz / 1000.0;
                double watts = 40 + 90 * ghz * ghz * ghz + 0.02 * memMHz;
                rows.add(new Row(coreMHz * 1_000_000, memMHz * 1_000_000, seconds * 1e3, watts * seconds));
            }
        }
        return rows;
    }

    /** Zeus: one profiling window per power limit (W, the window name's suffix; used as the GPU axis's label). */
    static List<Row> zeus(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
            String[] f = line.split(",");
            long limit = Long.parseLong(f[1].substring(f[1].lastIndexOf('_') + 1));
            rows.add(new Row(limit, 0, Double.parseDouble(f[2]) * 1e3, Double.parseDouble(f[3])));
        }
        return rows;
    }

    private Path importRows(List<Row> rows, String board, String model) throws IOException {
        StringBuilder csv = new StringBuilder("cpu_khz,gpu_hz,emc_hz,mean_ms,energy_j\n");
        for (Row r : rows) {
            csv.append("0,").append(r.gpuHz()).append(',').append(r.emcHz() == 0 ? "" : r.emcHz()).append(',')
                    .append(r.meanMs()).append(',').append(r.energyJ()).append('\n');
        }
        Path file = tmp.resolve(board + "-" + model + ".csv");
        Files.writeString(file, csv);
        Path out = tmp.resolve(board + "-" + model + ".json");
        CliRun run = CliRun.of("import", "--csv", file.toString(), "--board", board, "--model", model, "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        return out;
    }

    private static Row expected(List<Row> rows, double slowdown, Comparator<Row> by) {
        double fastest = rows.stream().mapToDouble(Row::meanMs).min().orElseThrow();
        return rows.stream().filter(r -> r.meanMs() <= slowdown * fastest).min(by).orElseThrow();
    }

    private static JsonNode recommend(Path profile, String... more) throws IOException {
        List<String> args = new ArrayList<>(List.of("recommend", "--profile", profile.toString(), "--percentile", "mean", "--json"));
        args.addAll(List.of(more));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        return JSON.readTree(run.out());
    }

    private void checkMinEnergyAndZeus(List<Row> rows, Path profile, String what) throws IOException {
        double maxPower = rows.stream().mapToDouble(Row::powerW).max().orElseThrow();
        for (double slowdown : new double[] {1.0, 1.1, 1.25, 1.5, 3.0}) {
            Row best = expected(rows, slowdown, Comparator.comparingDouble(Row::energyJ));
            JsonNode got = recommend(profile, "--slowdown", Double.toString(slowdown));
            assertEquals(best.gpuHz(), got.path("gpuHz").asLong(), what + " min-energy at " + slowdown);
            assertEquals(best.energyJ(), got.path("energyJ").asDouble(), 1e-9 * best.energyJ(), what);
            for (double eta : new double[] {0.0, 0.5, 1.0}) {
                Row zeus = expected(rows, slowdown, Comparator.comparingDouble(
                        r -> eta * r.energyJ() + (1 - eta) * maxPower * r.meanMs() / 1e3));
                JsonNode z = recommend(profile, "--slowdown", Double.toString(slowdown), "--policy", "zeus", "--eta", Double.toString(eta));
                assertEquals(zeus.gpuHz(), z.path("gpuHz").asLong(), what + " zeus eta " + eta);
                assertEquals(zeus.emcHz() == 0 ? null : zeus.emcHz(), z.path("emcHz").isNull() ? null : z.path("emcHz").asLong());
            }
        }
    }

    @Test
    void coreAndMemoryClockGridsImportAndSelectLikeBruteForce() throws IOException {
        for (int seed = 1; seed <= 6; seed++) {
            List<Row> rows = coreMemoryGrid(seed, 3 + seed, 1 + seed % 4);
            Path profile = importRows(rows, "desktop-gpu", "grid" + seed);
            checkMinEnergyAndZeus(rows, profile, "grid " + seed);
        }
    }

    @Test
    void zeusPowerLimitWindowsImportAndSelectLikeBruteForce() throws IOException {
        try (Stream<Path> files = Files.list(zeusProfiles())) {
            List<Path> all = files.filter(f -> f.toString().endsWith(".csv")).sorted().toList();
            assertEquals(12, all.size());
            for (Path f : all) {
                List<Row> rows = zeus(f);
                Path profile = importRows(rows, "datacenter-gpu", f.getFileName().toString().replaceAll("[^A-Za-z0-9]+", "-"));
                checkMinEnergyAndZeus(rows, profile, f.getFileName().toString());
            }
        }
        // the study's U-shape: on the A40, ResNet-50 needs least energy at 175 W, not at 300 W or 100 W
        List<Row> a40 = zeus(zeusProfiles().resolve("A40+resnet50+gpu0.csv"));
        Path profile = importRows(a40, "a40", "resnet50");
        assertEquals(175, recommend(profile, "--slowdown", "10").path("gpuHz").asLong());
    }

    @Test
    void randomTablesThroughTheCommandLinePickWhatBruteForcePicks() throws IOException {
        java.util.Random r = new java.util.Random(99);
        for (int t = 0; t < 25; t++) {
            List<Row> rows = new ArrayList<>();
            int gpus = 2 + r.nextInt(8);
            int emcs = 1 + r.nextInt(4);
            for (int g = 0; g < gpus; g++) {
                for (int e = 0; e < emcs; e++) {
                    rows.add(new Row(100_000_000L * (g + 1), 400_000_000L * (e + 1), 5 + r.nextInt(50), 0.01 * (1 + r.nextInt(40))));
                }
            }
            Path profile = importRows(rows, "random", "t" + t);
            double slowdown = 1 + r.nextDouble();
            Row best = expected(rows, slowdown, Comparator.comparingDouble(Row::energyJ).thenComparingDouble(Row::meanMs)
                    .thenComparingLong(Row::gpuHz).thenComparingLong(Row::emcHz));
            JsonNode got = recommend(profile, "--slowdown", Double.toString(slowdown));
            assertEquals(best.gpuHz(), got.path("gpuHz").asLong(), "table " + t);
            assertEquals(best.emcHz(), got.path("emcHz").asLong(), "table " + t);
        }
    }

    @Test
    void showPlotsHeatmapsAndTheParetoFrontWithTheChoiceForABudget() throws Exception {
        Path profile = importRows(coreMemoryGrid(7, 3, 3), "desktop-gpu", "resnet");
        Path plots = tmp.resolve("plots");
        CliRun run = CliRun.of("show", profile.toString(), "--plot", plots.toString(), "--slowdown", "1.2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("resnet on desktop-gpu (imported), batch 1, 9 points"), run.out());
        ChartFilesCheck.pngAndSvg(plots, "energy");
        ChartFilesCheck.pngAndSvg(plots, "latency");
        String pareto = ChartFilesCheck.pngAndSvg(plots, "pareto");
        JsonNode chosen = recommend(profile, "--slowdown", "1.2");
        assertTrue(pareto.contains(ChartFilesCheck.chosenLabel(chosen.path("cpuKHz").asLong(), chosen.path("gpuHz").asLong(),
                chosen.path("latencyMs").asDouble(), chosen.path("energyJ").asDouble())), "the chosen point is marked with its figures");
        assertTrue(pareto.contains(String.format(java.util.Locale.ROOT, "budget %.1f ms (p95)", chosen.path("budgetMs").asDouble())),
                "the budget is drawn");
        assertEquals(2, CliRun.of("show", profile.toString(), "--slowdown", "1.2").exitCode(), "a budget is for --plot");
        CliRun csv = CliRun.of("show", profile.toString(), "--csv");
        assertTrue(csv.out().startsWith("cpu_khz,gpu_hz,emc_hz,mean_ms,p50_ms,p95_ms,p99_ms,energy_j,power_w,cov,idle_w\n0,600000000,600000000,"), csv.out());
        assertEquals(10, csv.out().lines().count());
    }

    @Test
    void recommendRefusesWhatCannotBeAndExitsThreeWhenNothingFits() throws IOException {
        List<Row> grid = coreMemoryGrid(7, 3, 3);
        Path profile = importRows(grid, "desktop-gpu", "resnet");
        assertEquals(2, CliRun.of("recommend", "--profile", profile.toString()).exitCode(), "no budget");
        assertEquals(2, CliRun.of("recommend", "--profile", profile.toString(), "--budget-ms", "5", "--slowdown", "1.2").exitCode());
        assertEquals(2, CliRun.of("recommend", "--profile", profile.toString(), "--slowdown", "0.5").exitCode());
        assertEquals(2, CliRun.of("recommend", "--profile", profile.toString(), "--budget-ms", "5", "--policy", "fastest").exitCode());
        assertEquals(2, CliRun.of("recommend", "--profile", profile.toString(), "--budget-ms", "5", "--policy", "power-cap").exitCode());
        CliRun none = CliRun.of("recommend", "--profile", profile.toString(), "--budget-ms", "100", "--json");
        assertEquals(3, none.exitCode());
        JsonNode doc = JSON.readTree(none.out());
        assertEquals(false, doc.path("feasible").asBoolean());
        Row fastest = grid.stream().min(Comparator.comparingDouble(Row::meanMs)).orElseThrow();
        assertEquals(fastest.gpuHz(), doc.path("fastest").path("gpuHz").asLong());
        assertTrue(none.oneLineError() && none.err().contains("no operating point meets 100.00 ms at p95"), none.err());
        Path broken = tmp.resolve("broken.json");
        Files.writeString(broken, "{\"schema\": 1, \"key\": ");
        CliRun malformed = CliRun.of("recommend", "--profile", broken.toString(), "--slowdown", "1.2");
        assertEquals(2, malformed.exitCode());
        assertTrue(malformed.oneLineError() && malformed.err().startsWith("joulegov: malformed profile "), malformed.err());
    }
}
