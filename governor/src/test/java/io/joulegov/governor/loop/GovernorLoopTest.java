package io.joulegov.governor.loop;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.TreeSnapshot;
import io.joulegov.governor.KneeProfile;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The governor's loop on a fake Nano tree and a virtual clock: commands from other threads, one thread acting. */
class GovernorLoopTest {

    private static final String GPU = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";

    @TempDir
    Path tmp;

    private Path root;
    private Board board;
    private GovernorCore core;
    private final List<String> actors = new ArrayList<>();

    @BeforeEach
    void nano() {
        root = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        SysRoot sys = SysRoot.of(root);
        board = BoardDiscovery.discover(sys);
        core = new GovernorCore(board, new ClockPinner(board, RestoreJournal.open(sys, RestoreJournal.defaultFile(sys))),
                new GovernorCore.Events() {
                    @Override
                    public void held(OperatingPoint point, String why, boolean first) {
                        actors.add(Thread.currentThread().getName());
                    }
                });
    }

    private static ProfileTable profile() {
        return KneeProfile.nano();
    }

    private Map<String, String> knobs() {
        Map<String, String> all = new java.util.TreeMap<>(TreeSnapshot.of(root.resolve("sys")));
        all.keySet().removeIf(k -> !(k.endsWith("governor") || k.endsWith("_freq") && !k.endsWith("cur_freq")));
        return all;
    }

    @Test
    void onlyTheLoopsThreadActsOnTheCoreWhateverThreadSendsTheCommands() throws Exception {
        VirtualClock clock = new VirtualClock(Instant.EPOCH);
        try (GovernorLoop loop = GovernorLoop.start(core, clock, null, GovernorLoop.Saver.NONE)) {
            AtomicReference<OperatingPoint> registered = new AtomicReference<>();
            Thread other = new Thread(() -> registered.set(loop.register("m", profile(), null, new Budget.Slowdown(1.5),
                    Percentile.MEAN).join()));
            other.start();
            other.join();
            assertEquals(registered.get(), loop.held(), "held() is published before the answer");
            assertEquals(Long.toString(registered.get().gpuHz()), Files.readString(root.resolve(GPU + "max_freq")).trim());
            loop.report("m", List.of(10.0, 11.0), List.of()).join();
            GovernorLoop.Status status = loop.status().join();
            assertEquals(List.of("m"), status.models());
            assertEquals(registered.get(), status.held());
            // 0.5 s without inference: the loop's own tick takes the idle setting
            clock.sleep(java.time.Duration.ofSeconds(1));
            assertEquals(OperatingPoint.of(710400L, 460800000L), loop.held());
        }
        assertTrue(actors.size() >= 2);
        assertTrue(actors.stream().allMatch("joulegov-governor"::equals), actors.toString());
    }

    @Test
    void closingGivesEveryKnobBackAndRefusesWhatComesLate() {
        Map<String, String> before = knobs();
        VirtualClock clock = new VirtualClock(Instant.EPOCH);
        GovernorLoop loop = GovernorLoop.start(core, clock, null, GovernorLoop.Saver.NONE);
        loop.register("m", profile(), null, new Budget.Slowdown(1.5), Percentile.MEAN).join();
        assertNotEquals(before, knobs());
        loop.close();
        assertEquals(before, knobs());
        assertNull(loop.held());
        CompletionException late = assertThrows(CompletionException.class, () -> loop.report("m", List.of(10.0), List.of()).join());
        assertInstanceOf(IllegalStateException.class, late.getCause());
    }

    @Test
    void aRefusalComesBackAsTheFailedAnswerAndTheLoopGoesOn() {
        VirtualClock clock = new VirtualClock(Instant.EPOCH);
        try (GovernorLoop loop = GovernorLoop.start(core, clock, null, GovernorLoop.Saver.NONE)) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> loop.report("never-registered", List.of(10.0), List.of()).join());
            assertTrue(e.getCause().getMessage().contains("not registered"), e.getCause().getMessage());
            assertEquals(List.of(), loop.status().join().models());
        }
    }

    @Test
    void aReportThatWaitedInTheQueueIsPlacedWhenItsInferencesRan() {
        Command.Report backToBack = new Command.Report("m", List.of(10.0, 20.0), List.of(), 0, null);
        assertEquals(List.of(25.0, 5.0), GovernorLoop.endedAgo(backToBack, 5_000_000L));
        Command.Report aged = new Command.Report("m", List.of(10.0, 20.0), List.of(30.0, 0.0), 0, null);
        assertEquals(List.of(35.0, 5.0), GovernorLoop.endedAgo(aged, 5_000_000L));
        assertEquals(List.of(), GovernorLoop.endedAgo(new Command.Report("m", List.of(1.0), List.of(), 7, null), 7));
    }
}
