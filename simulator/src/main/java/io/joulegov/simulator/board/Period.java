package io.joulegov.simulator.board;

/** A job the board runs every period of board time: a governor's sampling, thermal polling, a sensor conversion. */
final class Period {

    private final long nanos;
    private long last;

    Period(long nanos) {
        this.nanos = nanos;
    }

    /** The job runs at {@code t}, whether or not it was due. */
    void ranAt(long t) {
        last = t;
    }

    /** The time since the job last ran if a period has passed, and the job runs now; 0 if it is not due. */
    long due(long t) {
        long since = t - last;
        if (since < nanos) {
            return 0;
        }
        last = t;
        return since;
    }
}
