package io.joulegov.governor.metrics;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.store.ProfileStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The governor's meters as Prometheus scrapes them: a model's series end with it, the memory clock is read each scrape. */
class GovernorMetricsTest {

    @TempDir
    Path tmp;

    private static PrometheusMeterRegistry registry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** The value of the one series of {@code name} (with its labels, as scraped), or null when there is none. */
    private static Double value(PrometheusMeterRegistry registry, String series) {
        return registry.scrape().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.valueOf(l.substring(series.length() + 1).trim())).orElse(null);
    }

    private static boolean hasModel(PrometheusMeterRegistry registry, String model) {
        return registry.scrape().lines().anyMatch(l -> !l.startsWith("#") && l.contains("model=\"" + model + "\""));
    }

    private GovernorMetrics bound(Board board, PrometheusMeterRegistry registry) {
        GovernorMetrics metrics = new GovernorMetrics(board, null, () -> null);
        metrics.bindTo(registry);
        return metrics;
    }

    @Test
    void aModelsSeriesAreGoneOnceItUnregisters() throws Exception {
        Board board = BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"))));
        PrometheusMeterRegistry registry = registry();
        GovernorMetrics metrics = bound(board, registry);
        for (String model : List.of("a", "b")) {
            metrics.inference(model, 30, 25);
            metrics.infeasible(model);
        }
        assertEquals(1.0, value(registry, "joulegov_deadline_misses_total{model=\"a\"}"));
        assertEquals(0.025, value(registry, "joulegov_latency_budget_seconds{model=\"a\"}"));
        assertEquals(1.0, value(registry, "joulegov_infeasible_budgets_total{model=\"a\"}"));
        assertTrue(hasModel(registry, "a") && hasModel(registry, "b"));

        metrics.unregistered("a");
        assertFalse(hasModel(registry, "a"), registry.scrape());
        assertTrue(hasModel(registry, "b"), "the other model's series stay");
        assertTrue(registry.scrape().contains("joulegov_emc_frequency_hertz"), "the board's meters stay");

        metrics.inference("a", 10, 25); // registered again: its series start afresh
        assertEquals(0.0, value(registry, "joulegov_deadline_misses_total{model=\"a\"}"));
        assertEquals(0.025, value(registry, "joulegov_latency_budget_seconds{model=\"a\"}"));
    }

    @Test
    void aBudgetNotKnownYetIsAbsentNotNaN() throws Exception {
        Board board = BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"))));
        PrometheusMeterRegistry registry = registry();
        GovernorMetrics metrics = bound(board, registry);
        metrics.inference("u", 30, Double.NaN);
        assertTrue(hasModel(registry, "u"), "its latency is exported");
        assertFalse(registry.scrape().contains("joulegov_latency_budget_seconds"), registry.scrape());
        assertFalse(registry.scrape().lines().anyMatch(l -> !l.startsWith("#") && l.endsWith(" NaN") && l.contains("model=")),
                registry.scrape());
        metrics.inference("u", 30, 40);
        assertEquals(0.04, value(registry, "joulegov_latency_budget_seconds{model=\"u\"}"));
        metrics.inference("u", 30, Double.NaN);
        assertEquals(0.04, value(registry, "joulegov_latency_budget_seconds{model=\"u\"}"), "a known budget stays");
    }

    @Test
    void theMemoryClockIsWhatTheBoardRunsAtEachScrape() throws Exception {
        // T210: the EMC clock's own clk_rate
        Path nano = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        PrometheusMeterRegistry registry = registry();
        bound(BoardDiscovery.discover(SysRoot.of(nano)), registry);
        assertEquals(1.6e9, value(registry, "joulegov_emc_frequency_hertz"));
        Files.writeString(nano.resolve("sys/kernel/debug/clk/emc/clk_rate"), "204000000\n");
        assertEquals(2.04e8, value(registry, "joulegov_emc_frequency_hertz"));
        assertTrue(registry.scrape().contains("# HELP joulegov_emc_frequency_hertz Memory (EMC) clock the board runs at"),
                registry.scrape());

        // T194: BPMP's rate
        Path nx = FakeBoards.lay(FakeBoards.Layout.XAVIER_NX_JP5, tmp.resolve("nx"));
        Board board = BoardDiscovery.discover(SysRoot.of(nx));
        PrometheusMeterRegistry nxRegistry = registry();
        bound(board, nxRegistry);
        assertEquals((double) board.emc().orElseThrow().rateHz(), value(nxRegistry, "joulegov_emc_frequency_hertz"));
        Files.writeString(nx.resolve("sys/kernel/debug/bpmp/debug/clk/emc/rate"), "665600000\n");
        assertEquals(6.656e8, value(nxRegistry, "joulegov_emc_frequency_hertz"));
    }

    @Test
    void theDaemonDropsAModelsMetersWhenItUnregisters() throws Exception {
        SysRoot root = SysRoot.of(FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano")));
        ProfileStore store = new ProfileStore(tmp.resolve("cache"));
        store.save(new ProfileTable(new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(), "m",
                "00000000", 1, List.of(), "test", 1, 1, 100, 3, 100, ProfileKey.MEASURED), List.of(
                Measurement.ofMean(OperatingPoint.of(710400L, 460800000L), 40, 0.10),
                Measurement.ofMean(OperatingPoint.of(1479000L, 921600000L), 20, 0.16))));
        PrometheusMeterRegistry registry = registry();
        try (GovernDaemon daemon = GovernDaemon.open(root, new GovernDaemon.Options(RestoreJournal.defaultFile(root), store,
                false, Duration.ofMillis(100), registry, false), Clock.system())) {
            daemon.start(tmp.resolve("joulegov.sock"));
            daemon.register("m", "", 1, new Budget.Millis(50), Percentile.MEAN);
            daemon.begin("m");
            daemon.report("m", List.of(45.0, 55.0), List.of(10.0, 0.0));
            assertTrue(hasModel(registry, "m"), registry.scrape());
            assertEquals(0.05, value(registry, "joulegov_latency_budget_seconds{model=\"m\"}"));
            daemon.unregister("m");
            assertFalse(hasModel(registry, "m"), registry.scrape());
        }
    }
}
