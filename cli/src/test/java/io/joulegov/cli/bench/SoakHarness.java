package io.joulegov.cli.bench;

import io.joulegov.cli.compare.VirtualProfiling;
import io.joulegov.client.LatencyReporter;
import io.joulegov.client.Registration;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.governor.inprocess.LoopTransport;
import io.joulegov.governor.inprocess.ReporterOnClock;
import io.joulegov.governor.loop.GovernorLoop;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.measure.ProfileRun;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.spec.Boards;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

/**
 * The virtual half of bench/soak.sh: HOURS of board time on a virtual Nano in one process, the daemon's governor loop
 * driving it (a power sampler beside it), fed through an application's latency reporter, while workloads come and go
 * every 20 minutes (Poisson arrivals at 10 per second, idle gaps included): most with a profile, every third one with
 * none (learned from nothing), every fifth one with a budget no point can keep (infeasible, measured again and again).
 * A thermal or CPU-contention disturbance strikes in two of every three periods, and another writer switches the
 * power mode now and then (sometimes twice within a minute, so that the core backs off). One markdown row per board
 * hour.
 *
 * <p>Usage: SoakHarness HOURS
 */
public final class SoakHarness {

    private static final long SECOND = 1_000_000_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;

    private SoakHarness() {
    }

    /** One period's workload: its model, its profile (null: none) and its budget. */
    private record Period(String model, ProfileTable profile, Registration registration) {
    }

    public static void main(String[] args) throws Exception {
        int hours = Integer.parseInt(args[0]);
        Map<String, ProfileTable> profiles = new HashMap<>();
        for (String w : Boards.WORKLOADS) {
            profiles.put(w, VirtualProfiling.table(new VirtualProfiling.Request("nano", 0, w, new ProfileRun.Method(true, ProfileRun.MemoryClock.OFF,
                    200, 3, 100), 1000)));
        }
        long wall0 = System.nanoTime();
        System.out.println();
        System.out.println("| board hour | heap after GC | live threads | models (learning / infeasible / governed) "
                + "| latencies kept | inferences awaiting energy | intervals learned | inferences | other-writer events "
                + "| wall s |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
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
            long nextSwitch = start;
            long nextHour = start;
            long nextWriter = start + 30 * MINUTE;
            int period = 0;
            int writes = 0;
            long inferences = 0;
            Period current = null;
            SimulatedWorkload workload = null;
            LatencyReporter reporter = null;
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
                 GovernorLoop loop = GovernorLoop.start(core, clock, sampler, GovernorLoop.Saver.NONE)) {
                long nextArrival = start;
                while (clock.nanoTime() < end) {
                    long now = clock.nanoTime();
                    if (now >= nextHour) {
                        row((now - start) / HOUR, loop, inferences, otherWriterEvents[0], (System.nanoTime() - wall0) / 1e9);
                        nextHour += HOUR;
                    }
                    if (now >= nextSwitch) {
                        if (current != null) {
                            reporter.close();
                            loop.unregister(current.model()).join();
                            workload.close();
                        }
                        current = next(period, random, profiles);
                        workload = new SimulatedWorkload(jetson.board(), current.model(), clock);
                        ProfileKey toLearn = GovernorCore.keyToLearn(board, current.model(), "", 1, ProfileKey.VIRTUAL, false);
                        reporter = new LatencyReporter(current.registration(), new LoopTransport(loop, current.profile(),
                                toLearn), Duration.ofMillis(100), new ReporterOnClock(clock));
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
                    nextArrival += Math.round(-Math.log(1 - random.nextDouble()) / 10.0 * 1e9);
                    clock.sleepUntil(nextArrival);
                    reporter.starting();
                    long t0 = clock.nanoTime();
                    workload.runOnce();
                    reporter.record((clock.nanoTime() - t0) / 1e6);
                    inferences++;
                }
                reporter.close();
                row(hours, loop, inferences, otherWriterEvents[0], (System.nanoTime() - wall0) / 1e9);
            }
        }
    }

    /** Every fifth period a budget no point keeps, every third one no profile, else a profiled workload. */
    private static Period next(int period, Random random, Map<String, ProfileTable> profiles) {
        String model = Boards.WORKLOADS.get(random.nextInt(Boards.WORKLOADS.size()));
        if (period % 5 == 4) {
            return new Period(model, null, new Registration(model, "", 1, 0.5, null, "p99"));
        }
        ProfileTable profile = period % 3 == 2 ? null : profiles.get(model);
        return new Period(model, profile, new Registration(model, "", 1, null, 1.4, "p99"));
    }

    private static void row(long hour, GovernorLoop loop, long inferences, int otherWriterEvents, double wallSeconds) {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        GovernorLoop.Status status = loop.status().join();
        GovernorCore.State s = status.state();
        long learned = loop.energy().join().intervalsLearned();
        System.out.printf("| %d | %.1f MB | %d | %d (%d / %d / %d) | %d | %d | %d | %d | %d | %.0f |%n", hour,
                heap / 1048576.0, ManagementFactory.getThreadMXBean().getThreadCount(), s.models(), s.learning(),
                s.infeasible(), s.governed(), s.samplesKept(), s.inferencesRemembered(), learned, inferences,
                otherWriterEvents, wallSeconds);
    }
}
