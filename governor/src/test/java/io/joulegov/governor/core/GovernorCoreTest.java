package io.joulegov.governor.core;

import io.joulegov.governor.KneeProfile;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyReading;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.TreeSnapshot;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.policies.select.Percentile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The governor core on a fake Nano tree, with time passed in: no thread, no sleep. Seconds below are board seconds.
 */
class GovernorCoreTest {

    private static final long S = 1_000_000_000L;
    private static final String CPU = "sys/devices/system/cpu/cpufreq/policy0/";
    private static final String GPU = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";

    @TempDir
    Path tmp;

    private Path root;
    private GovernorCore core;
    private Board board;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void nano() {
        root = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        SysRoot sys = SysRoot.of(root);
        Board board = BoardDiscovery.discover(sys);
        this.board = board;
        core = new GovernorCore(board, new ClockPinner(board, RestoreJournal.open(sys, RestoreJournal.defaultFile(sys))),
                new GovernorCore.Events() {
                    @Override
                    public void infeasible(String model, double budgetMs) {
                        events.add("infeasible " + model + " " + budgetMs);
                    }

                    @Override
                    public void held(OperatingPoint point, String why, boolean first) {
                        if (!first) {
                            events.add("switched");
                        }
                    }

                    @Override
                    public void otherWriter() {
                        events.add("other writer");
                    }
                });
    }

    private static ProfileTable profile() {
        return KneeProfile.nano();
    }

    /** The knobs a governor writes: governors, limits, the EMC override (setspeed reads as the kernel pleases). */
    private Map<String, String> knobs() {
        Map<String, String> all = new java.util.TreeMap<>(TreeSnapshot.of(root.resolve("sys")));
        all.keySet().removeIf(k -> !(k.endsWith("governor") || k.endsWith("_freq") && !k.endsWith("cur_freq")
                || k.endsWith("clk_state") || k.endsWith("clk_update_rate")));
        return all;
    }

    private String read(String rel) throws IOException {
        return Files.readString(root.resolve(rel)).trim();
    }

    private void write(String rel, String value) throws IOException {
        Files.writeString(root.resolve(rel), value + "\n");
    }

    @Test
    void itHoldsTheControllersChoiceAndReleaseGivesEveryKnobBack() throws IOException {
        Map<String, String> before = knobs();
        OperatingPoint start = core.register("m", profile(), new Budget.Slowdown(1.5), Percentile.MEAN, 0);
        assertEquals(start, core.held());
        assertEquals(Long.toString(start.cpuKHz()), read(CPU + "scaling_setspeed"));
        assertEquals(Long.toString(start.gpuHz()), read(GPU + "max_freq"));
        assertEquals(read(GPU + "min_freq"), read(GPU + "max_freq"));
        // 0.5 s without inference: the lowest clocks of the profile
        core.tick(S);
        assertEquals(OperatingPoint.of(710400L, 460800000L), core.held());
        core.begin("m", 2 * S);
        assertEquals(start, core.held());
        assertEquals(List.of("switched", "switched"), events);
        core.release();
        assertNull(core.held());
        assertEquals(before, knobs());
        // an inference thread that reports late writes nothing after the release
        assertThrows(IllegalStateException.class, () -> core.report("m", List.of(10.0), List.of(), 3 * S));
        core.tick(3 * S);
        assertEquals(before, knobs());
    }

    @Test
    void anInfeasibleBudgetWritesNothing() {
        Map<String, String> before = TreeSnapshot.of(root.resolve("sys"));
        var e = assertThrows(InfeasibleException.class,
                () -> core.register("m", profile(), new Budget.Millis(1), Percentile.MEAN, 0));
        assertTrue(e.getMessage().contains("no operating point meets 1.00 ms"), e.getMessage());
        assertNull(core.held());
        assertEquals(before, TreeSnapshot.of(root.resolve("sys")));
    }

    @Test
    void withNoProfileABudgetEvenTheFastestPointMissesIsToldOnceAndTheFastestPointHeld() {
        var key = GovernorCore.keyToLearn(board, "m", null, 1, ProfileKey.MEASURED, false);
        List<Long> cpus = board.cpuPolicies().get(0).frequenciesKHz();
        List<Long> gpus = board.gpu().orElseThrow().frequenciesHz();
        OperatingPoint fastest = OperatingPoint.of(cpus.get(cpus.size() - 1), gpus.get(gpus.size() - 1));
        assertEquals(fastest, core.registerUnprofiled("m", key, new Budget.Millis(10), Percentile.P95, 0));
        for (int i = 1; i <= 300; i++) {
            core.report("m", List.of(12.0), List.of(), i * S / 50);
        }
        assertEquals(List.of("infeasible m 10.0"), events);
        assertEquals(fastest, core.held());
        assertNull(core.learnedProfile("m", 7 * S), "nothing learned, nothing to save");
        assertEquals(Duration.ofMillis(10), core.report("m", List.of(12.0), List.of(), 7 * S),
                "measured again while infeasible: its reports are asked for sooner");
    }

    @Test
    void aCapAnotherWriterLeavesBelowTheHeldPointIsRespected() throws IOException {
        OperatingPoint start = core.register("m", profile(), new Budget.Slowdown(1.0), Percentile.MEAN, 0);
        assertEquals(1479000L, start.cpuKHz());
        // nvpmodel switches to 5 W: CPU max 918 MHz
        write(CPU + "scaling_max_freq", "921600");
        core.report("m", List.of(10.0), List.of(), S / 10);
        core.limits(S);
        assertEquals(List.of("other writer"), events);
        core.begin("m", S);
        assertEquals(921600L, core.held().cpuKHz(), "the highest CPU clock within the cap");
        assertEquals(start.gpuHz(), core.held().gpuHz());
        assertEquals("921600", read(CPU + "scaling_setspeed"));
    }

    @Test
    void aSecondWriteWithinAMinuteBacksOffAndTheBackOffExpires() throws IOException {
        core.register("m", profile(), new Budget.Slowdown(1.0), Percentile.MEAN, 0);
        write(GPU + "max_freq", "844800000");
        core.limits(S);
        core.begin("m", S);
        assertEquals(844800000L, core.held().gpuHz());
        // jetson_clocks pins everything at the top, 10 s later: twice within a minute
        write(GPU + "min_freq", "921600000");
        write(GPU + "max_freq", "921600000");
        core.limits(11 * S);
        assertNull(core.held(), "backed off");
        for (long t = 12; t < 71; t += 10) {
            core.begin("m", t * S);
            core.report("m", List.of(10.0), List.of(), t * S);
            core.tick(t * S);
        }
        assertEquals("921600000", read(GPU + "min_freq"), "nothing written while backed off");
        assertEquals(List.of("other writer", "other writer"), events.stream().filter(e -> !e.equals("switched")).toList());
        core.begin("m", 72 * S);
        assertEquals(921600000L, core.held().gpuHz(), "after the minute it holds again, within the caps it finds");
        assertEquals(Long.toString(core.held().cpuKHz()), read(CPU + "scaling_setspeed"));
    }

    /** Inferences of {@code model} back to back from {@code from} for {@code seconds}, at {@code ms} each. */
    private long run(String model, long from, double seconds, double ms) {
        long t = from;
        while (t < from + Math.round(seconds * S)) {
            t += Math.round(ms * 1e6);
            core.report(model, List.of(ms), List.of(), t);
        }
        return t;
    }

    private static EnergyReading interval(long from, long to, double watts) {
        return new EnergyReading("governor", from, to, watts * (to - from) / 1e9, Map.of(), 10, 0);
    }

    @Test
    void theEnergyOfAnIntervalInWhichOneModelRanAtOnePointIsLearnedOnceItsInferencesAreIn() {
        core.register("m", profile(), new Budget.Slowdown(1.5), Percentile.MEAN, 0);
        run("m", 0, 3, 12); // within the budget: it stays put for its dwell
        core.energy(interval(0, S, 5));
        assertEquals(0, core.learning().intervalsLearned(), "credited one interval later");
        core.energy(interval(S, 2 * S, 5));
        core.energy(interval(2 * S, 3 * S, 5));
        assertEquals(new GovernorCore.Learning(2, 0), core.learning());
    }

    @Test
    void aBatchedReportCreditsEachInferenceToTheIntervalItEndedIn() {
        core.register("m", profile(), new Budget.Slowdown(1.5), Percentile.MEAN, 0);
        // one report, 1 ms after the second interval: an inference that ended in each (back to back, both would be
        // placed just before the report, in the third); the last 0.1 s before it, so the model is not idle yet
        core.report("m", List.of(12.0, 12.0), List.of(1500.0 + 1, 100.0 + 1), 2 * S + 1_000_000);
        core.energy(interval(0, S, 5));
        core.energy(interval(S, 2 * S, 5));
        core.energy(interval(2 * S, 3 * S, 5));
        assertEquals(new GovernorCore.Learning(2, 0), core.learning(), "the first two intervals each saw one inference");
    }

    @Test
    void whileTwoModelsRunInOneIntervalTheirEnergyTeachesNothing() {
        ProfileTable p = profile();
        core.register("a", p, new Budget.Slowdown(1.5), Percentile.MEAN, 0);
        core.register("b", p, new Budget.Slowdown(1.5), Percentile.MEAN, 0);
        long t = 0;
        for (int i = 0; i < 100; i++) { // interleaved, as two applications on one board
            t += 10_000_000L;
            core.report(i % 2 == 0 ? "a" : "b", List.of(10.0), List.of(), t);
        }
        core.energy(interval(0, S, 5));
        core.energy(interval(S, 2 * S, 5));
        assertEquals(new GovernorCore.Learning(0, 1), core.learning());
    }

    @Test
    void anIntervalInWhichThePointChangedOrARailFailedTeachesNothing() {
        core.register("m", profile(), new Budget.Slowdown(1.5), Percentile.MEAN, 0);
        core.tick(S); // idle: the lowest clocks
        core.begin("m", S + S / 2); // the working point again, half-way through the interval
        run("m", S + S / 2, 1, 12);
        core.energy(interval(S, 2 * S, 5));
        run("m", (5 * S) / 2, 1, 12);
        core.energy(new EnergyReading("governor", 2 * S, 3 * S, 5, Map.of(), 10, 1));
        run("m", 7 * S / 2, 1, 12);
        core.energy(interval(3 * S, 4 * S, 5));
        assertEquals(0, core.learning().intervalsLearned());
        run("m", 9 * S / 2, 1, 12);
        core.energy(interval(4 * S, 5 * S, 5));
        assertEquals(1, core.learning().intervalsLearned(), "the next clean interval teaches again");
    }
}
