package io.joulegov.simulator.board;

import java.util.Random;

/**
 * The slow wander of a real board's latency (temperature, background work): an Ornstein-Uhlenbeck process drawn on a
 * fixed grid of board time from a stream of its own, so that a run sees the same drift whatever else it draws.
 */
final class Drift {

    static final double SIGMA = 0.015;
    static final double TAU_NS = 20e9;
    static final long STEP_NS = 100_000_000L;
    private static final double DECAY = Math.exp(-STEP_NS / TAU_NS);

    private final Random random;
    private long at;
    private double value;

    Drift(Random random) {
        this.random = random;
    }

    void startAt(long t) {
        at = t;
    }

    void advanceTo(long t) {
        while (at + STEP_NS <= t) {
            value = value * DECAY + Math.sqrt(1 - DECAY * DECAY) * SIGMA * random.nextGaussian();
            at += STEP_NS;
        }
    }

    /** The relative change of latency now (0.01: 1% slower). */
    double value() {
        return value;
    }
}
