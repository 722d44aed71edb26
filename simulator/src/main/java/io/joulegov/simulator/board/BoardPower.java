package io.joulegov.simulator.board;

import io.joulegov.device.board.RailRole;
import io.joulegov.simulator.spec.BoardSpec;

import java.util.List;

/**
 * The calibrated power model: what the board draws (W) at the clocks it runs, with the activity of the inference and
 * what contends with it, and how the INA3221 rails split that. No state and no files: the board holds the clocks,
 * this says what they cost.
 */
final class BoardPower {

    private final BoardSpec.Power power;
    private final double emcMaxHz;

    BoardPower(BoardSpec.Power power, long emcMaxHz) {
        this.power = power;
        this.emcMaxHz = emcMaxHz;
    }

    /** The CPU's share: the mean over its policies, each busy {@code activity} plus {@code contention}. */
    double cpu(List<DvfsDomain> policies, double activity, double contention) {
        double w = 0;
        for (DvfsDomain p : policies) {
            w += power.cpu().watts(p.clock.effective() / 1000.0, Math.min(1, activity + contention));
        }
        return w / policies.size();
    }

    double gpu(long hz, double activity) {
        return power.gpu().watts(hz / 1e6, activity);
    }

    /** The memory: a quarter of its top-clock power whatever the clock, the rest in proportion to it. */
    double emc(long hz) {
        return power.emcWattsAtMax() * (0.25 + 0.75 * hz / emcMaxHz);
    }

    /** The whole board: the domains on top of its static power (busy) or its idle power. */
    double total(boolean busy, double cpu, double gpu, double emc) {
        return (busy ? power.staticWatts() : power.idleWatts()) + cpu + gpu + emc;
    }

    /** What a rail in {@code role} reads: its domains' power plus its share of the rest of the board's. */
    static double rail(RailRole role, double total, double cpu, double gpu, double emc) {
        double base = total - cpu - gpu - emc;
        return switch (role) {
            case TOTAL -> total;
            case CPU -> cpu + 0.05 * base;
            case GPU -> gpu + 0.05 * base;
            case CPU_GPU -> cpu + gpu + 0.05 * base;
            case SOC -> emc + 0.3 * base;
            case OTHER -> 0.1 * base;
        };
    }
}
