package io.joulegov.cli.compare;

import io.joulegov.client.LatencyReporter;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.loop.GovernorLoop;
import io.joulegov.policies.online.ControllerSettings;
import io.joulegov.policies.online.OnlineController;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One run of a pipeline on a fresh virtual board under one mode: its members side by side, each on its own thread of
 * the virtual clock with Poisson arrivals at its rate, under the default governors, a fixed point, or the daemon's
 * governor loop (each member reporting through its own {@link LatencyReporter}, as separate applications would).
 */
public final class PipelineRun {

    /** One member: a model, its arrivals per second, and its profile (made alone; what a governed mode is given). */
    public record Member(String model, double rate, ProfileTable profile) {
    }

    /** What every mode of a pipeline comparison shares. */
    public record Setup(String board, int unit, List<Member> members, Percentile percentile, double durationS, long seed,
                        boolean emcAxis) {
    }

    /** How one member did: its latencies (sorted, ms), and against its budget. */
    public record MemberResult(String model, double[] sortedMs) {

        public long inferences() {
            return sortedMs.length;
        }

        public double latencyMs(Percentile q) {
            return switch (q) {
                case MEAN -> Arrays.stream(sortedMs).average().orElse(Double.NaN);
                case P50 -> Percentile.ofSorted(sortedMs, 0.50);
                case P95 -> Percentile.ofSorted(sortedMs, 0.95);
                case P99 -> Percentile.ofSorted(sortedMs, 0.99);
            };
        }

        /** The share of its inferences over {@code budgetMs}. */
        public double missRate(double budgetMs) {
            long over = Arrays.stream(sortedMs).filter(ms -> ms > budgetMs).count();
            return sortedMs.length == 0 ? 0 : (double) over / sortedMs.length;
        }
    }

    /**
     * The mix the governor held at the end of an adaptive run: its point, the board power it predicted there, the
     * energy windows that taught it, and the board's mean power measured over the run's last minute (its last half
     * when shorter).
     */
    public record MixResult(OnlineController.MixStatus status, double measuredWatts) {
    }

    /**
     * How one mode did: board energy over the run (J), its length (s), each member's latencies, the point it held, for
     * {@code adaptive} the mix at the end (null otherwise, or when no mix was in force), and each member's timeline
     * (the board's clocks and power, its latency at the percentile over the last seconds).
     */
    public record Result(Mode mode, double energyJ, double seconds, Map<String, MemberResult> members, OperatingPoint point,
                         MixResult mix, Map<String, Trace> traces) {

        public double watts() {
            return energyJ / seconds;
        }

        /** Whether every member kept its budget: misses within what its percentile allows. */
        public boolean meets(Map<String, Double> budgetsMs, Percentile percentile) {
            return members.values().stream().allMatch(m -> m.missRate(budgetsMs.get(m.model())) <= percentile.missAllowance());
        }
    }

    private PipelineRun() {
    }

    /**
     * Runs {@code s} under {@code mode}, holding {@code fixed} if not null; a governed mode is given each member's
     * budget in {@code budgetsMs}.
     */
    static Result run(Setup s, Mode mode, OperatingPoint fixed, Map<String, Double> budgetsMs) throws Exception {
        try (VirtualJetson jetson = VirtualJetson.open(s.board(), s.unit(), s.seed())) {
            VirtualClock clock = jetson.clock();
            SysRoot root = SysRoot.of(jetson.root());
            Board board = BoardDiscovery.discover(root);
            ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root)));
            OperatingPoint held = ModeRun.hold(mode, fixed, jetson, board, pinner);
            long start = clock.nanoTime();
            long end = start + Math.round(s.durationS() * 1e9);
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
                 Governed governed = mode.governed() ? Governed.start(s, mode, budgetsMs, board, pinner, clock, sampler) : null) {
                EnergyWindow window = sampler.openWindow(mode.label());
                List<double[]> latencies = new ArrayList<>();
                List<int[]> counts = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                List<TraceRecorder> recorders = new ArrayList<>();
                AtomicReference<Exception> failed = new AtomicReference<>();
                for (int i = 0; i < s.members().size(); i++) {
                    Member m = s.members().get(i);
                    double[][] mine = {new double[1 << 12]};
                    int[] n = {0};
                    latencies.add(null);
                    counts.add(n);
                    int k = i;
                    LatencyReporter reporter = governed == null ? null : governed.reporters().get(i);
                    TraceRecorder trace = new TraceRecorder(board, sampler, s.percentile(),
                            () -> held != null ? held : governed != null ? governed.loop().held() : null, start);
                    recorders.add(trace);
                    SimulatedWorkload w = new SimulatedWorkload(jetson.board(), m.model(), clock);
                    Random arrivals = new Random(s.seed() * 31 + 7 + 1_000_003L * i);
                    threads.add(clock.newThread("pipeline-" + m.model(), () -> {
                        try {
                            long next = start;
                            while (true) {
                                next += Math.round(-Math.log(1 - arrivals.nextDouble()) / m.rate() * 1e9);
                                if (next >= end) {
                                    break;
                                }
                                trace.at(clock.nanoTime());
                                clock.sleepUntil(next); // at once when behind
                                if (reporter != null) {
                                    reporter.starting();
                                }
                                long t0 = clock.nanoTime();
                                w.runOnce();
                                double ms = (clock.nanoTime() - t0) / 1e6;
                                if (reporter != null) {
                                    reporter.record(ms);
                                }
                                trace.inference(clock.nanoTime(), ms);
                                if (n[0] == mine[0].length) {
                                    mine[0] = Arrays.copyOf(mine[0], n[0] * 2);
                                }
                                mine[0][n[0]++] = ms;
                            }
                        } catch (Exception e) {
                            failed.compareAndSet(null, e);
                        } finally {
                            latencies.set(k, mine[0]);
                        }
                    }));
                }
                threads.forEach(Thread::start);
                clock.sleepUntil(end - Math.min(60_000_000_000L, (end - start) / 2));
                // the sampler's running total, not a window of our own: opening one takes a sample, which would change
                // the very energies the run measures
                double joulesBefore = sampler.joules();
                long sampledBefore = sampler.joulesUntilNanos();
                clock.sleepUntil(end);
                double lastWatts = (sampler.joules() - joulesBefore) / ((sampler.joulesUntilNanos() - sampledBefore) / 1e9);
                OnlineController.MixStatus mix = mode.kind() == Mode.Kind.ADAPTIVE
                        ? governed.loop().status().join().mix() : null;
                for (Thread t : threads) {
                    clock.join(t, Duration.ofMinutes(10));
                    if (t.isAlive()) {
                        throw new IllegalStateException(t.getName() + " did not end within 10 minutes");
                    }
                }
                if (failed.get() != null) {
                    throw failed.get();
                }
                double joules = window.end().joules();
                double seconds = (clock.nanoTime() - start) / 1e9;
                if (governed == null) {
                    pinner.release();
                }
                Map<String, MemberResult> members = new LinkedHashMap<>();
                Map<String, Trace> traces = new LinkedHashMap<>();
                for (int i = 0; i < s.members().size(); i++) {
                    double[] sorted = Arrays.copyOf(latencies.get(i), counts.get(i)[0]);
                    Arrays.sort(sorted);
                    members.put(s.members().get(i).model(), new MemberResult(s.members().get(i).model(), sorted));
                    traces.put(s.members().get(i).model(), recorders.get(i).trace(Disturbance.NONE, 0, 0));
                }
                return new Result(mode, joules, seconds, members, held,
                        mix == null ? null : new MixResult(mix, lastWatts), traces);
            }
        }
    }

    /**
     * The daemon's governor loop, each member registered by its own reporter with its budget and profile; for
     * {@code max-of-singles} with mixes off (each member's own choice, the per-clock maximum held).
     */
    private record Governed(GovernorLoop loop, List<LatencyReporter> reporters) implements AutoCloseable {

        static Governed start(Setup s, Mode mode, Map<String, Double> budgetsMs, Board board, ClockPinner pinner,
                              VirtualClock clock, PowerSampler sampler) {
            ControllerSettings settings = mode.kind() == Mode.Kind.MAX_OF_SINGLES
                    ? ControllerSettings.defaults().withMaxOfSingles() : ControllerSettings.defaults();
            GovernorLoop loop = ModeRun.governorLoop(board, pinner, clock, sampler, settings);
            List<LatencyReporter> reporters = s.members().stream().map(m -> ModeRun.reporter(loop, board, clock, m.model(),
                    m.profile(), new Budget.Millis(budgetsMs.get(m.model())), s.percentile(), s.emcAxis())).toList();
            return new Governed(loop, reporters);
        }

        @Override
        public void close() {
            reporters.forEach(LatencyReporter::close);
            loop.close(); // every knob back
        }
    }
}
