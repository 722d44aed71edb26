package io.joulegov.profiler.measure;

import io.joulegov.device.DeviceException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.Emc;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.BoardOwner;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.ReleaseOnShutdown;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.plan.FullPlan;
import io.joulegov.profiler.plan.SparsePlan;
import io.joulegov.profiler.plan.SweepPlan;
import io.joulegov.profiler.workload.InferenceSource;
import io.joulegov.profiler.workload.WorkloadInfo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Profiles one workload on one board, real or virtual alike: sweeps the plan through the board's knobs and power
 * sampler, giving the knobs back at the end; or, on a host without frequency knobs or power sensors, times the
 * workload at the current clocks (a latency-only profile).
 */
public final class ProfileRun {

    /** How to profile: plan, memory clock, inferences per run, reruns at most, sampling period. */
    public record Method(boolean sparse, MemoryClock emc, int inferences, int reruns, int sampleMs) {

        MeasurementSettings settings() {
            return new MeasurementSettings(inferences, Math.min(3, reruns), reruns, 0.02, 20, Duration.ofMillis(50), 5,
                    Duration.ofMillis(sampleMs));
        }
    }

    /** Whether the memory clock is swept as a third axis. */
    public enum MemoryClock {
        /** Left to the kernel (CPU x GPU). */
        OFF,
        /** Swept; a board that cannot lock it is an error. */
        ON,
        /** Swept where the board can lock it, else left to the kernel: the default. */
        WHERE_LOCKABLE;

        public static MemoryClock of(boolean on) {
            return on ? ON : OFF;
        }
    }

    /** The result, its key, the size of the grid, and why only latency was measured (null when energy was too). */
    public record Outcome(Sweep.Result result, ProfileKey key, int gridSize, String latencyOnlyBecause) {
    }

    /** How long a stop waits for the sweep to leave the board before restoring under it. */
    private static final Duration STOP_WITHIN = Duration.ofSeconds(2);

    private ProfileRun() {
    }

    /** Why this board can only be profiled for latency, or null when its grid can be swept. */
    public static String latencyOnlyReason(Board board) {
        if (board.cpuPolicies().isEmpty() || board.cpuPolicies().get(0).frequenciesKHz().isEmpty()) {
            return "no CPU frequency knobs (cpufreq)";
        }
        if (board.gpu().isEmpty()) {
            return "no GPU frequency knobs (devfreq)";
        }
        if (board.rails().isEmpty()) {
            return "no power sensors";
        }
        return null;
    }

    /**
     * Runs the profile. {@code inferences} is started once the board is this process's (an attached stream then waits
     * for its application); {@code checkpointFor} gives the checkpoint's path once the key is known; {@code source} is
     * {@link ProfileKey#MEASURED} or {@link ProfileKey#VIRTUAL}. If the JVM is told to stop (Ctrl-C, SIGTERM) while
     * the sweep holds the board, the sweep stops within an inference, every knob is given back, and
     * {@code onInterrupted} (which says how to resume) runs; the checkpoint keeps every point measured before.
     */
    public static Outcome run(Board board, Clock clock, InferenceSource inferences, Method method, String source,
                              Function<ProfileKey, Path> checkpointFor, boolean resume, Sweep.Progress progress,
                              Runnable onInterrupted) throws Exception {
        String latencyOnly = latencyOnlyReason(board);
        if (latencyOnly != null) {
            return latencyOnly(board, inferences, method, source, latencyOnly, clock);
        }
        List<Long> cpuGrid = board.cpuPolicies().get(0).frequenciesKHz();
        List<Long> gpuGrid = board.gpu().orElseThrow().frequenciesHz();
        Optional<Emc> lockable = board.emc().filter(Emc::lockable).filter(e -> !e.ratesHz().isEmpty());
        if (method.emc() == MemoryClock.ON && lockable.isEmpty()) {
            throw new DeviceException("--emc: the memory clock of this board cannot be locked");
        }
        // rates above the power mode's cap would run at the cap: only those it lets the board run are measured
        List<Long> emcGrid = method.emc() == MemoryClock.OFF ? List.of()
                : lockable.map(e -> e.ratesWithinCap(board.root())).orElse(List.of());
        List<OperatingPoint> points = SweepPlan.grid(cpuGrid, gpuGrid, emcGrid);
        SweepPlan plan = method.sparse() ? SparsePlan.forGrid(points) : new FullPlan(points);
        ClockPinner pinner = new ClockPinner(board, RestoreJournal.open(board.root(), RestoreJournal.defaultFile(board.root())));
        Thread sweeper = Thread.currentThread();
        CountDownLatch offTheBoard = new CountDownLatch(1);
        // closed in reverse: every knob back (guard), then the sampler, then the board's owner lock
        try (BoardOwner owner = BoardOwner.acquire(board.root());
             PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(method.sampleMs())).start();
             ReleaseOnShutdown guard = ReleaseOnShutdown.install("joulegov-profile", pinner::release, () -> {
                 sweeper.interrupt();
                 awaitQuietly(offTheBoard, STOP_WITHIN);
                 pinner.release();
                 onInterrupted.run();
             })) {
            try {
                inferences.start();
                ProfileKey key = key(board, cpuGrid, gpuGrid, emcGrid, inferences.info(), method, method.sampleMs(), source);
                Sweep.Result result = new Sweep(new PointMeasurer(board, pinner, sampler, clock, method.settings()), clock)
                        .run(inferences, plan, key, checkpointFor.apply(key), resume, progress);
                return new Outcome(result, key, points.size(), null);
            } finally {
                offTheBoard.countDown();
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch, Duration atMost) {
        try {
            latch.await(atMost.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Outcome latencyOnly(Board board, InferenceSource inferences, Method method, String source, String why,
                                       Clock clock) throws Exception {
        long cpu = board.cpuPolicies().isEmpty() ? 0 : current(board, board.cpuPolicies().get(0).dir().resolve("scaling_cur_freq"));
        long gpu = board.gpu().map(g -> current(board, g.dir().resolve("cur_freq"))).orElse(0L);
        OperatingPoint current = new OperatingPoint(cpu, gpu, null);
        inferences.start();
        ProfileKey key = key(board, List.of(cpu), List.of(gpu), List.of(), inferences.info(), method, 0, source);
        long start = clock.nanoTime();
        var row = new LatencyMeasurer(method.settings()).measure(inferences, current);
        Sweep.Result result = new Sweep.Result(new ProfileTable(key, List.of(row)), 1, 0, clock.nanoTime() - start);
        return new Outcome(result, key, 1, why);
    }

    /** A current clock, 0 when it cannot be read (the profile then says "unknown clocks"). */
    private static long current(Board board, Path file) {
        try {
            return board.root().readLong(file);
        } catch (DeviceException unreadable) {
            return 0;
        }
    }

    private static ProfileKey key(Board board, List<Long> cpuGrid, List<Long> gpuGrid, List<Long> emcGrid, WorkloadInfo info,
                                  Method method, int samplingMs, String source) {
        return new ProfileKey(board.identity().kind(), board.identity().l4t(), board.identity().powerMode(), board.identity().serial(), cpuGrid,
                gpuGrid, emcGrid, info.model(), info.hash(), info.batch(), info.inputShape(), info.engine(),
                info.intraOpThreads(), info.interOpThreads(), method.inferences(), method.reruns(), samplingMs, source);
    }
}
