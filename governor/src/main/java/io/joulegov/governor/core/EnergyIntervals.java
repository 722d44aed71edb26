package io.joulegov.governor.core;

import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;

import java.time.Duration;

/**
 * The board's energy in back-to-back intervals of a power sampler, handed to a governor core as each one ends; the
 * governor's loop polls it on every tick.
 */
public final class EnergyIntervals {

    /** How long each interval whose board energy the governor core learns from lasts. */
    public static final Duration LENGTH = Duration.ofSeconds(1);

    private final PowerSampler sampler;
    private final GovernorCore core;
    private EnergyWindow window;
    private long endsAt;

    /** Opens the first interval at {@code now}. */
    public EnergyIntervals(PowerSampler sampler, GovernorCore core, long now) {
        this.sampler = sampler;
        this.core = core;
        this.window = sampler.openWindow("governor");
        this.endsAt = now + LENGTH.toNanos();
    }

    /** When the interval has lasted its length by {@code now}: ends it, tells the core and opens the next. */
    public void poll(long now) {
        if (now >= endsAt) {
            core.energy(window.end());
            window = sampler.openWindow("governor");
            endsAt = now + LENGTH.toNanos();
        }
    }
}
