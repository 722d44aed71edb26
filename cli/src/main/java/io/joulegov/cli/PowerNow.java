package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;

import java.time.Duration;
import java.util.Map;

/**
 * A board's power now, per rail and in all (the total rail, or the rails summed), from the power sampler's own
 * readings over one short window: an energy counter (RAPL) needs two reads to give a power.
 */
record PowerNow(Map<String, Double> railWatts, double boardWatts) {

    private static final Duration WINDOW = Duration.ofMillis(100);

    static PowerNow read(Board board, Clock clock) {
        if (board.rails().isEmpty()) {
            return new PowerNow(Map.of(), Double.NaN);
        }
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, WINDOW);
             EnergyWindow window = sampler.openWindow("boards")) {
            clock.sleep(WINDOW);
            window.end();
            return new PowerNow(sampler.lastRailWatts(), sampler.lastWatts());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new PowerNow(Map.of(), Double.NaN);
        }
    }
}
