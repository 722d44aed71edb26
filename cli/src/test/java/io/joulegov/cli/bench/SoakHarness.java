package io.joulegov.cli.bench;

import io.joulegov.cli.compare.VirtualProfiling;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.policies.online.ControllerSettings;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.measure.ProfileRun;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The virtual half of bench/soak.sh: HOURS of board time on a virtual Nano in one process, the daemon's governor core
 * driving it as compare's adaptive mode does (a power sampler beside it), while workloads come and go every 20
 * minutes (Poisson arrivals at 10 per second, idle gaps included), a thermal or CPU-contention disturbance strikes in
 * two of every three of those periods, and another writer switches the power mode now and then (sometimes twice
 * within a minute, so that the core backs off). One markdown row per board hour.
 *
 * <p>Usage: SoakHarness HOURS
 */
public final class SoakHarness {

    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;

    private SoakHarness() {
    }

    public static void main(String[] args) throws Exception {
        int hours = Integer.parseInt(args[0]);
        Map<String, ProfileTable> profiles = new HashMap<>();
        for (String w : Boards.WORKLOADS) {
            profiles.put(w, VirtualProfiling.run(new VirtualProfiling.Request("nano", 0, w, new ProfileRun.Method(true, false,
                    200, 3, 100), 1000), key -> null, false, (done, expected, last) -> { }, () -> { }).result().table());
        }
        long wall0 = System.nanoTime();
        System.out.println();
        System.out.println("| board hour | heap after GC | live threads | models registered | other writes remembered "
                + "| inferences | other-writer events | wall s |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        try (VirtualJetson jetson = VirtualJetson.open("nano", 0, 7)) {
            VirtualClock clock = jetson.clock();
            SysRoot root = SysRoot.of(jetson.root());
            Board board = BoardDiscovery.discover(root);
            int[] otherWriterEvents = new int[1];
            GovernorCore core = new GovernorCore(board, new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root))),
                    new GovernorCore.Events() {
                        @Override
                        public void otherWriter() {
                            otherWriterEvents[0]++;
                        }
                    });
            Random random = new Random(11);
            long start = clock.nanoTime();
            long end = start + hours * HOUR;
            long idle = ControllerSettings.defaults().idleNanos();
            long nextSwitch = start;
            long nextLimits = start + SECOND;
            long nextHour = start;
            long nextWriter = start + 30 * MINUTE;
            int period = 0;
            int writes = 0;
            long inferences = 0;
            String current = null;
            SimulatedWorkload workload = null;
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start()) {
                long nextArrival = start;
                while (clock.nanoTime() < end) {
                    long now = clock.nanoTime();
                    if (now >= nextHour) {
                        row((now - start) / HOUR, core, inferences, otherWriterEvents[0], (System.nanoTime() - wall0) / 1e9);
                        nextHour += HOUR;
                    }
                    if (now >= nextSwitch) {
                        if (current != null) {
                            core.unregister(current);
                            workload.close();
                        }
                        current = Boards.WORKLOADS.get(random.nextInt(Boards.WORKLOADS.size()));
                        workload = new SimulatedWorkload(jetson.board(), current, clock);
                        core.register(current, profiles.get(current), new Budget.Slowdown(1.4), Percentile.P99, now);
                        Disturbance d = Disturbance.values()[period++ % Disturbance.values().length];
                        if (d != Disturbance.NONE) {
                            jetson.board().disturb(d, now + 5 * MINUTE, 10 * MINUTE);
                        }
                        nextSwitch = now + 20 * MINUTE;
                    }
                    if (now >= nextWriter) {
                        // nvpmodel: the 5 W mode, and back to MAXN; every third time the second switch follows within
                        // a minute, which makes the core back off
                        jetson.board().setPowerMode(writes % 2 == 0 ? 1 : 0);
                        writes++;
                        nextWriter = now + (writes % 3 == 2 ? 20 * SECOND : (30 + random.nextInt(60)) * MINUTE);
                    }
                    if (now >= nextLimits) {
                        core.limits(now);
                        nextLimits = now + SECOND;
                    }
                    nextArrival += Math.round(-Math.log(1 - random.nextDouble()) / 10.0 * 1e9);
                    if (clock.nanoTime() + idle < nextArrival) {
                        clock.sleepUntil(clock.nanoTime() + idle);
                        core.tick(clock.nanoTime());
                    }
                    clock.sleepUntil(nextArrival);
                    core.begin(current, clock.nanoTime());
                    long t0 = clock.nanoTime();
                    workload.runOnce();
                    core.report(current, List.of((clock.nanoTime() - t0) / 1e6), clock.nanoTime());
                    inferences++;
                }
                row(hours, core, inferences, otherWriterEvents[0], (System.nanoTime() - wall0) / 1e9);
                core.release();
            }
        }
    }

    private static void row(long hour, GovernorCore core, long inferences, int otherWriterEvents, double wallSeconds) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        GovernorCore.State s = core.state();
        System.out.printf("| %d | %.1f MB | %d | %d | %d | %d | %d | %.0f |%n", hour, heap / 1048576.0,
                ManagementFactory.getThreadMXBean().getThreadCount(), s.models(), s.otherWritesRemembered(), inferences,
                otherWriterEvents, wallSeconds);
    }
}
