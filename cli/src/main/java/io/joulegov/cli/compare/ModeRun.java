package io.joulegov.cli.compare;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.client.LatencyReporter;
import io.joulegov.client.Registration;
import io.joulegov.governor.core.GovernorCore;
import io.joulegov.governor.inprocess.LoopTransport;
import io.joulegov.governor.inprocess.ReporterOnClock;
import io.joulegov.governor.loop.GovernorLoop;
import io.joulegov.policies.online.ControllerSettings;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.workload.SimulatedWorkload;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * One run of a workload on a fresh virtual board under one mode: the default governors (dvfs), a fixed point
 * (static, oracle) or the daemon's governor loop (adaptive) on virtual time, pinning through the board's files.
 * Arrivals are back to back, or Poisson at a rate with idle gaps whose energy counts.
 */
public final class ModeRun {

    /**
     * What every mode of a comparison shares: the board (kind and unit), the workload, the profile static and adaptive
     * govern with (made on this unit or elsewhere; null: adaptive learns one from nothing), the budget, arrivals,
     * length and disturbance; {@code emcAxis}: the memory clock is governed as a third axis (learned as one with no
     * profile).
     */
    public record Setup(String board, int unit, String model, ProfileTable profile, Budget budget, Percentile percentile,
                        double rate, double durationS, Disturbance disturbance, long seed, boolean emcAxis) {

        /** The same run, governed with {@code other}. */
        public Setup withProfile(ProfileTable other) {
            return new Setup(board, unit, model, other, budget, percentile, rate, durationS, disturbance, seed, emcAxis);
        }
    }

    /** How often the workload's reporter sends its latencies: an application's default. */
    private static final Duration REPORT_EVERY = Duration.ofMillis(100);

    private ModeRun() {
    }

    static ModeResult run(Setup s, Mode mode, OperatingPoint fixed) throws Exception {
        try (VirtualJetson jetson = VirtualJetson.open(s.board(), s.unit(), s.seed())) {
            VirtualClock clock = jetson.clock();
            SysRoot root = SysRoot.of(jetson.root());
            Board board = BoardDiscovery.discover(root);
            ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(root, RestoreJournal.defaultFile(root)));
            long start = clock.nanoTime();
            long duration = Math.round(s.durationS() * 1e9);
            long end = start + duration;
            if (s.disturbance() != Disturbance.NONE) {
                jetson.board().disturb(s.disturbance(), start + duration / 3, duration / 3);
            }
            fixed = hold(mode, fixed, jetson, board, pinner);
            double budgetMs = s.budget().millis(s.profile(), s.percentile());
            Random arrivals = new Random(s.seed() * 31 + 7);
            double[] latencies = new double[1 << 12];
            int n = 0;
            long misses = 0;
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
                 SimulatedWorkload w = new SimulatedWorkload(jetson.board(), s.model(), clock);
                 Adaptive adaptive = mode.governed() ? Adaptive.start(s, board, pinner, clock, sampler) : null) {
                EnergyWindow window = sampler.openWindow(mode.label());
                OperatingPoint pinned = fixed;
                TraceRecorder trace = new TraceRecorder(board, sampler, s.percentile(),
                        () -> pinned != null ? pinned : adaptive != null ? adaptive.loop.held() : null, start);
                long nextArrival = start;
                while (clock.nanoTime() < end) {
                    trace.at(clock.nanoTime());
                    if (s.rate() > 0) {
                        nextArrival += Math.round(-Math.log(1 - arrivals.nextDouble()) / s.rate() * 1e9);
                        clock.sleepUntil(nextArrival);
                        if (clock.nanoTime() >= end) {
                            break;
                        }
                    }
                    if (adaptive != null) {
                        adaptive.reporter.starting();
                    }
                    long t0 = clock.nanoTime();
                    w.runOnce();
                    double ms = (clock.nanoTime() - t0) / 1e6;
                    if (adaptive != null) {
                        adaptive.reporter.record(ms);
                    }
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = ms;
                    if (ms > budgetMs) {
                        misses++;
                    }
                    trace.inference(clock.nanoTime(), ms);
                }
                double joules = window.end().joules();
                ProfileTable learned = adaptive == null ? null : adaptive.learned(s.model());
                if (adaptive == null) {
                    pinner.release();
                }
                double[] sorted = Arrays.copyOf(latencies, n);
                Arrays.sort(sorted);
                boolean disturbed = s.disturbance() != Disturbance.NONE;
                return new ModeResult(mode, joules / n, Arrays.stream(sorted).average().orElse(Double.NaN),
                        Percentile.ofSorted(sorted, 0.50), Percentile.ofSorted(sorted, 0.95), Percentile.ofSorted(sorted, 0.99), (double) misses / n, n, fixed,
                        learned, trace.trace(s.disturbance(), disturbed ? s.durationS() / 3 : 0,
                                disturbed ? 2 * s.durationS() / 3 : 0));
            }
        }
    }

    /**
     * Adaptive: the daemon's own loop on virtual time, fed by the workload through an application's
     * {@link LatencyReporter} (batches every 100 ms, a begin after a pause), as a governed application feeds the daemon.
     */
    private record Adaptive(GovernorLoop loop, LatencyReporter reporter) implements AutoCloseable {

        static Adaptive start(Setup s, Board board, ClockPinner pinner, VirtualClock clock, PowerSampler sampler) {
            GovernorLoop loop = governorLoop(board, pinner, clock, sampler);
            return new Adaptive(loop, ModeRun.reporter(loop, board, clock, s.model(), s.profile(), s.budget(), s.percentile(),
                    s.emcAxis()));
        }

        /** What the model's profile is after the run, with what was learned: every latency reported first. */
        ProfileTable learned(String model) {
            reporter.close();
            return loop.learned(model).join();
        }

        @Override
        public void close() {
            reporter.close();
            loop.close(); // every knob back
        }
    }

    /**
     * Sets the board up as {@code mode} has it: every clock at its top for jetson-clocks, its nvpmodel mode for a
     * power mode; then pins {@code fixed} (or the top) if there is one. Returns the point pinned, or null.
     */
    static OperatingPoint hold(Mode mode, OperatingPoint fixed, VirtualJetson jetson, Board board, ClockPinner pinner) {
        if (mode.kind() == Mode.Kind.JETSON_CLOCKS) {
            fixed = top(board);
        } else if (mode.kind() == Mode.Kind.POWER_MODE) {
            jetson.board().setPowerMode(mode.powerMode());
        }
        if (fixed != null) {
            pinner.pin(fixed.cpuKHz(), fixed.gpuHz(), fixed.emcHz());
        }
        return fixed;
    }

    /** The daemon's governor loop on virtual time, holding {@code board} through {@code pinner}. */
    static GovernorLoop governorLoop(Board board, ClockPinner pinner, VirtualClock clock, PowerSampler sampler) {
        return governorLoop(board, pinner, clock, sampler, ControllerSettings.defaults());
    }

    static GovernorLoop governorLoop(Board board, ClockPinner pinner, VirtualClock clock, PowerSampler sampler,
                                     ControllerSettings settings) {
        return GovernorLoop.start(new GovernorCore(board, pinner, new GovernorCore.Events() { }, settings), clock,
                sampler, GovernorLoop.Saver.NONE);
    }

    /**
     * An application's reporter for {@code model} on {@code loop}: registered with {@code profile} (null: learned
     * from nothing), its budget and percentile, batches every 100 ms.
     */
    static LatencyReporter reporter(GovernorLoop loop, Board board, VirtualClock clock, String model, ProfileTable profile,
                                    Budget budget, Percentile percentile, boolean emcAxis) {
        ProfileKey toLearn = GovernorCore.keyToLearn(board, model, "", 1, ProfileKey.VIRTUAL, emcAxis);
        Registration registration = new Registration(model, "", 1, budget instanceof Budget.Millis m ? m.ms() : null,
                budget instanceof Budget.Slowdown f ? f.factor() : null, percentile.label());
        return new LatencyReporter(registration, new LoopTransport(loop, profile, toLearn), REPORT_EVERY,
                new ReporterOnClock(clock));
    }

    /** Every clock at the top of its table, the memory clock too where it can be pinned: what jetson_clocks does. */
    private static OperatingPoint top(Board board) {
        List<Long> cpu = board.cpuPolicies().get(0).frequenciesKHz();
        List<Long> gpu = board.gpu().orElseThrow().frequenciesHz();
        List<Long> emc = board.emc().filter(e -> e.lockable()).map(e -> e.ratesHz()).orElse(List.of());
        return new OperatingPoint(cpu.get(cpu.size() - 1), gpu.get(gpu.size() - 1), emc.isEmpty() ? null : emc.get(emc.size() - 1));
    }
}
