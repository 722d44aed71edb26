package io.joulegov.simulator.board;

/**
 * A clock that runs at the rate last asked of it once that has settled ({@code settleNanos} later: the time the PLL
 * and the voltage need); asking for another rate meanwhile starts the wait again. CPU policies, the GPU and the EMC
 * settle alike.
 */
final class SettlingClock {

    private final long settleNanos;
    private long effective;
    private long requested;
    private long requestedAt;

    SettlingClock(long initial, long settleNanos) {
        this.settleNanos = settleNanos;
        this.effective = this.requested = initial;
    }

    /** Asks for {@code rate} at {@code now}. */
    void ask(long rate, long now) {
        if (rate != requested) {
            requested = rate;
            requestedAt = now;
        }
    }

    /** Whether the clock takes the rate asked for at {@code now} (it had not, and that rate has settled). */
    boolean settle(long now) {
        if (requested == effective || now < requestedAt + settleNanos) {
            return false;
        }
        effective = requested;
        return true;
    }

    /** The rate it runs at. */
    long effective() {
        return effective;
    }

    /** The rate asked of it. */
    long requested() {
        return requested;
    }

    /** When the rate asked for takes effect; {@link Long#MIN_VALUE} when the clock runs at it already. */
    long settlesAt() {
        return requested == effective ? Long.MIN_VALUE : requestedAt + settleNanos;
    }
}
