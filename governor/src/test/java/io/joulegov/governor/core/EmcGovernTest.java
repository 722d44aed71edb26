package io.joulegov.governor.core;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.governor.metrics.GovernorMetrics;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The memory clock as a governed axis on an Orin: held within the power mode's cap, left alone by a two-axis profile. */
class EmcGovernTest {

    private static final String EMC = "sys/kernel/debug/bpmp/debug/clk/emc/";
    private static final String CAP = "sys/kernel/nvpmodel_emc_cap/emc_iso_cap";
    private static final long TOP_CPU = FakeBoards.ORIN_NANO_CPU_KHZ.get(FakeBoards.ORIN_NANO_CPU_KHZ.size() - 1);
    private static final long TOP_GPU = FakeBoards.ORIN_NANO_GPU_HZ.get(FakeBoards.ORIN_NANO_GPU_HZ.size() - 1);

    @TempDir
    Path tmp;

    private Path root;
    private Board board;
    private final List<String> told = new ArrayList<>();

    @BeforeEach
    void orin() {
        root = FakeBoards.lay(FakeBoards.Layout.ORIN_NANO_JP6, tmp.resolve("orin"));
    }

    private GovernorCore core() {
        SysRoot sys = SysRoot.of(root);
        board = BoardDiscovery.discover(sys);
        return new GovernorCore(board, new ClockPinner(board, RestoreJournal.open(sys, RestoreJournal.defaultFile(sys))),
                new GovernorCore.Events() {
                    @Override
                    public void emcLeftToKernel(String model) {
                        told.add(model);
                    }
                });
    }

    /** At the top CPU and GPU clocks, each EMC rate (null: a two-axis profile): only the top rate keeps 10 ms. */
    private static ProfileTable profile(List<Long> emcRates) {
        List<Measurement> rows = new ArrayList<>();
        for (Long emc : emcRates) {
            double ms = emc == null ? 9 : 9 + 1e9 / emc;
            rows.add(Measurement.ofMean(new OperatingPoint(TOP_CPU, TOP_GPU, emc), ms, 0.05));
        }
        return new ProfileTable(new ProfileKey("jetson-orin-nano", null, null, null, List.of(), List.of(), List.of(), "m",
                "00000000", 1, List.of(), "test", 1, 1, 100, 3, 100, ProfileKey.MEASURED), rows);
    }

    private String read(String rel) throws IOException {
        return Files.readString(root.resolve(rel)).trim();
    }

    @Test
    void aLockedEmcStaysWithinThePowerModesCap() throws IOException {
        Files.writeString(root.resolve(CAP), "1331200000\n"); // a power mode that caps the EMC
        GovernorCore core = core();
        List<Long> rates = board.emc().orElseThrow().ratesHz();
        OperatingPoint held = core.register("m", profile(rates), new Budget.Millis(100), Percentile.MEAN, 0);
        assertEquals(1331200000L, held.emcHz(), "the highest rate within the cap");
        assertEquals("1", read(EMC + "mrq_rate_locked"));
        assertEquals("1331200000", read(EMC + "rate"));
    }

    /** A model with no profile learns over the EMC too, but only over the rates the power mode lets the board hold. */
    @Test
    void aModelLearnedFromNothingWalksTheEmcRatesWithinThePowerModesCap() throws IOException {
        Files.writeString(root.resolve(CAP), "1331200000\n");
        GovernorCore core = core();
        ProfileKey key = GovernorCore.keyToLearn(board, "m", "", 1, ProfileKey.MEASURED, true);
        List<Long> within = board.emc().orElseThrow().ratesHz().stream().filter(r -> r <= 1331200000L).toList();
        assertEquals(within, key.emcGridHz());
        assertEquals(List.of(), GovernorCore.keyToLearn(board, "m", "", 1, ProfileKey.MEASURED, false).emcGridHz());
        OperatingPoint held = core.registerUnprofiled("m", key, new Budget.Slowdown(1.4), Percentile.P95, 0);
        assertEquals(1331200000L, held.emcHz(), "it starts at the fastest point the mode allows");
        assertEquals("1331200000", read(EMC + "rate"));
    }

    @Test
    void aTwoAxisProfileLeavesTheEmcToTheKernelAndSaysSoOnce() throws IOException {
        GovernorCore core = core();
        String rate = read(EMC + "rate");
        OperatingPoint held = core.register("m", profile(java.util.Collections.singletonList(null)), new Budget.Millis(100),
                Percentile.MEAN, 0);
        core.register("m", profile(java.util.Collections.singletonList(null)), new Budget.Millis(90), Percentile.MEAN, 1);
        assertEquals(List.of("m"), told);
        assertNull(held.emcHz());
        assertEquals("0", read(EMC + "mrq_rate_locked"));
        assertEquals(rate, read(EMC + "rate"));
    }

    @Test
    void theEmcJoulegovHoldsIsExportedAndCountsAsThrottledWhenTheBoardRunsBelowIt() throws IOException {
        GovernorCore core = core();
        List<Long> rates = board.emc().orElseThrow().ratesHz();
        core.register("m", profile(rates), new Budget.Millis(100), Percentile.MEAN, 0);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new GovernorMetrics(board, null, core::held).bindTo(registry);
        long top = rates.get(rates.size() - 1);
        assertEquals(top, value(registry, "joulegov_target_emc_frequency_hertz"));
        assertEquals(0.0, value(registry, "joulegov_throttled"));
        Files.writeString(root.resolve(EMC + "rate"), rates.get(0) + "\n"); // the board runs the EMC lower
        assertEquals(1.0, value(registry, "joulegov_throttled"));
    }

    private static double value(PrometheusMeterRegistry registry, String series) {
        return registry.scrape().lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim())).orElseThrow(() -> new AssertionError(registry.scrape()));
    }
}
