package io.joulegov.cli.compare;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
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
import java.util.Arrays;
import java.util.Random;

/**
 * One run of a workload on a fresh virtual board under one mode: the default governors (dvfs), a fixed point
 * (static, oracle) or the online controller (adaptive), pinning through the board's files as the daemon does.
 * Arrivals are back to back, or Poisson at a rate with idle gaps whose energy counts.
 */
public final class ModeRun {

    /** What every mode of a comparison shares. */
    public record Setup(String board, String model, ProfileTable profile, Budget budget, Percentile percentile, double rate,
                 double durationS, Disturbance disturbance, long seed) {
    }

    private ModeRun() {
    }

    static ModeResult run(Setup s, String mode, OperatingPoint fixed) throws Exception {
        try (VirtualJetson jetson = VirtualJetson.open(s.board(), s.seed())) {
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
            OnlineController controller = null;
            OperatingPoint held = null;
            if (fixed != null) {
                held = pin(pinner, fixed);
            } else if (mode.equals("adaptive")) {
                controller = new OnlineController(ControllerSettings.defaults());
                controller.register(s.model(), s.profile(), s.budget(), s.percentile(), start);
            }
            double budgetMs = s.budget().millis(s.profile(), s.percentile());
            Random arrivals = new Random(s.seed() * 31 + 7);
            double[] latencies = new double[1 << 12];
            int n = 0;
            long misses = 0;
            try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start();
                 SimulatedWorkload w = new SimulatedWorkload(jetson.board(), s.model(), clock)) {
                EnergyWindow window = sampler.openWindow(mode);
                long nextArrival = start;
                while (clock.nanoTime() < end) {
                    if (s.rate() > 0) {
                        nextArrival += Math.round(-Math.log(1 - arrivals.nextDouble()) / s.rate() * 1e9);
                        if (controller != null) {
                            long idleAt = clock.nanoTime() + ControllerSettings.defaults().idleNanos();
                            if (idleAt < nextArrival) {
                                clock.sleepUntil(idleAt);
                                held = follow(pinner, controller, clock.nanoTime(), held);
                            }
                        }
                        clock.sleepUntil(nextArrival);
                        if (clock.nanoTime() >= end) {
                            break;
                        }
                    }
                    if (controller != null) {
                        controller.begin(s.model(), clock.nanoTime());
                        held = follow(pinner, controller, clock.nanoTime(), held);
                    }
                    long t0 = clock.nanoTime();
                    w.runOnce();
                    double ms = (clock.nanoTime() - t0) / 1e6;
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = ms;
                    if (ms > budgetMs) {
                        misses++;
                    }
                    if (controller != null) {
                        controller.observe(s.model(), clock.nanoTime(), ms);
                    }
                }
                double joules = window.end().joules();
                pinner.release();
                double[] sorted = Arrays.copyOf(latencies, n);
                Arrays.sort(sorted);
                return new ModeResult(mode, joules / n, Arrays.stream(sorted).average().orElse(Double.NaN),
                        Percentile.ofSorted(sorted, 0.95), Percentile.ofSorted(sorted, 0.99), (double) misses / n, n, fixed);
            }
        }
    }

    /** Pins what the controller decides, when it differs from what is held. */
    private static OperatingPoint follow(ClockPinner pinner, OnlineController controller, long now, OperatingPoint held) {
        OperatingPoint want = controller.decide(now).point();
        return want.equals(held) ? held : pin(pinner, want);
    }

    private static OperatingPoint pin(ClockPinner pinner, OperatingPoint p) {
        pinner.pin(p.cpuKHz(), p.gpuHz(), p.emcHz());
        return p;
    }
}
