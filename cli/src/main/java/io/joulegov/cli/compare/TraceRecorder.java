package io.joulegov.cli.compare;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.ThermalZone;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.select.Percentile;
import io.joulegov.simulator.model.Disturbance;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;

/**
 * Samples a mode's run once a second of board time, through the board's files and the power sampler's running total
 * as a person watching jtop would: the clocks held and actual, board power, the windowed latency and the hottest zone.
 */
final class TraceRecorder {

    /** The latency window: a second holds too few inferences for a p99. */
    static final int WINDOW_S = 5;
    private static final long SECOND = 1_000_000_000L;

    private final Board board;
    private final PowerSampler sampler;
    private final Percentile percentile;
    private final Supplier<OperatingPoint> held;
    private final long start;
    private final List<Trace.Sample> samples = new ArrayList<>();
    private final Deque<double[]> lastSeconds = new ArrayDeque<>();
    private double[] second = new double[64];
    private int inSecond;
    private long nextSample;
    private double joulesBefore;
    private long sampledBefore;

    TraceRecorder(Board board, PowerSampler sampler, Percentile percentile, Supplier<OperatingPoint> held, long start) {
        this.board = board;
        this.sampler = sampler;
        this.percentile = percentile;
        this.held = held;
        this.start = start;
        this.nextSample = start + SECOND;
        this.joulesBefore = sampler.joules();
        this.sampledBefore = sampler.joulesUntilNanos();
    }

    /** An inference ended at {@code now} after {@code ms}. */
    void inference(long now, double ms) {
        at(now);
        if (inSecond == second.length) {
            second = Arrays.copyOf(second, inSecond * 2);
        }
        second[inSecond++] = ms;
    }

    /** Board time is {@code now}: samples every second that has ended. */
    void at(long now) {
        while (now >= nextSample) {
            sample((nextSample - start) / 1e9);
            nextSample += SECOND;
        }
    }

    Trace trace(Disturbance disturbance, double fromS, double toS) {
        return new Trace(samples, disturbance, fromS, toS);
    }

    private void sample(double seconds) {
        // the sampler's running total, not a window of our own: opening one takes a sample, which would change the
        // very energies the run measures
        double joules = sampler.joules();
        long until = sampler.joulesUntilNanos();
        double watts = until > sampledBefore && sampledBefore != Long.MIN_VALUE
                ? (joules - joulesBefore) / ((until - sampledBefore) / 1e9) : Double.NaN;
        joulesBefore = joules;
        sampledBefore = until;
        lastSeconds.addLast(Arrays.copyOf(second, inSecond));
        inSecond = 0;
        if (lastSeconds.size() > WINDOW_S) {
            lastSeconds.removeFirst();
        }
        double[] recent = lastSeconds.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        double latency = recent.length == 0 ? Double.NaN
                : percentile == Percentile.MEAN ? Arrays.stream(recent).average().orElseThrow()
                : Percentile.ofSorted(recent, 1 - percentile.missAllowance());
        OperatingPoint p = held.get();
        SysRoot root = board.root();
        double cpu = root.readLong(board.cpuPolicies().get(0).dir().resolve("scaling_cur_freq")) / 1e3;
        double gpu = board.gpu().map(g -> root.readLong(g.dir().resolve("cur_freq")) / 1e6).orElse(Double.NaN);
        double emc = board.emc().map(e -> root.readLong(e.rateFile()) / 1e6).orElse(Double.NaN);
        samples.add(new Trace.Sample(seconds, p == null ? Double.NaN : p.cpuKHz() / 1e3, cpu,
                p == null ? Double.NaN : p.gpuHz() / 1e6, gpu, p == null || p.emcHz() == null ? Double.NaN : p.emcHz() / 1e6,
                emc, watts, latency, hottest(root)));
    }

    private double hottest(SysRoot root) {
        double hottest = Double.NaN;
        for (ThermalZone z : board.thermalZones()) {
            Double c = BoardDiscovery.milliCelsius(root.read(z.tempFile()).orElse(""));
            if (c != null && !(c <= hottest)) {
                hottest = c;
            }
        }
        return hottest;
    }
}
