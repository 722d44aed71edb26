package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.governor.loop.GovernorLoop;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.VirtualJetson;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A model with no profile whose budget no point can keep, on a virtual Nano and the daemon's loop: what it keeps stays
 * bounded however long it is reported to, and once the cause ends it is governed again.
 */
class InfeasibleBudgetTest {

    private static final long SECOND = 1_000_000_000L;
    private static final double BUDGET_MS = 20;

    @Test
    void aModelReportedAThousandTimesASecondKeepsItsMemoryFlatAndIsGovernedAgainOnceTheCauseEnds() throws Exception {
        try (VirtualJetson jetson = VirtualJetson.open("nano", 0, 3)) {
            VirtualClock clock = jetson.clock();
            SysRoot root = SysRoot.of(jetson.root());
            Board board = BoardDiscovery.discover(root);
            List<String> infeasible = Collections.synchronizedList(new ArrayList<>());
            GovernorCore core = new GovernorCore(board, new ClockPinner(board, RestoreJournal.open(root,
                    RestoreJournal.defaultFile(root))), new GovernorCore.Events() {
                        @Override
                        public void infeasible(String model, double budgetMs) {
                            infeasible.add(model);
                        }
                    });
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
                 GovernorLoop loop = GovernorLoop.start(core, clock, sampler, GovernorLoop.Saver.NONE)) {
                ProfileKey toLearn = GovernorCore.keyToLearn(board, "m", "", 1, ProfileKey.VIRTUAL, false);
                loop.register("m", null, toLearn, new Budget.Millis(BUDGET_MS), Percentile.P99).join();
                long start = clock.nanoTime();
                // a throttled board: even the fastest point takes twice the budget
                report(loop, clock, start + 60 * SECOND, 2 * BUDGET_MS);
                GovernorCore.State atMinute1 = loop.status().join().state();
                long heap1 = heapAfterGc();
                assertEquals(1, atMinute1.infeasible(), "found infeasible: " + atMinute1);
                report(loop, clock, start + 600 * SECOND, 2 * BUDGET_MS);
                GovernorCore.State atMinute10 = loop.status().join().state();
                long heap10 = heapAfterGc();
                assertEquals(1, atMinute10.infeasible(), "still infeasible: " + atMinute10);
                assertTrue(atMinute10.samplesKept() <= atMinute1.samplesKept() && atMinute10.samplesKept() <= 8192,
                        "latencies kept bounded: " + atMinute1 + " then " + atMinute10);
                assertTrue(atMinute10.inferencesRemembered() <= 4096, "inferences awaiting energy bounded: " + atMinute10);
                assertTrue(heap10 <= heap1 + 2 * 1024 * 1024, "heap after GC " + heap1 + " then " + heap10);
                assertTrue(infeasible.size() >= 1, "told as infeasible");
                // the throttle ends: within 60 s of board time it learns again, and is governed from what it learns
                long causeEnded = clock.nanoTime();
                long governedAgain = -1;
                for (long t = causeEnded + SECOND; t <= causeEnded + 60 * SECOND && governedAgain < 0; t += SECOND) {
                    report(loop, clock, t, BUDGET_MS / 4);
                    if (loop.status().join().state().infeasible() == 0) {
                        governedAgain = t - causeEnded;
                    }
                }
                assertTrue(governedAgain > 0, "governed again within 60 s: " + loop.status().join().state());
                GovernorCore.State after = loop.status().join().state();
                assertEquals(1, after.learning() + after.governed(), after.toString());
            }
        }
    }

    /** 1,000 inferences a second of {@code ms} each until {@code until}, reported every 100 ms as a reporter does. */
    private static void report(GovernorLoop loop, VirtualClock clock, long until, double ms) throws InterruptedException {
        List<Double> latencies = Collections.nCopies(100, ms);
        List<Double> ages = new ArrayList<>(100);
        for (int i = 0; i < 100; i++) {
            ages.add(99.0 - i);
        }
        while (clock.nanoTime() < until) {
            clock.sleep(Duration.ofMillis(100));
            loop.report("m", latencies, ages).join();
        }
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
