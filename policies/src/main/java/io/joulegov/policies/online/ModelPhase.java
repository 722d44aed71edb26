package io.joulegov.policies.online;

import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;

/**
 * What the controller is doing for one registered model; the controller keeps one per model and moves it on
 * explicitly ({@link OnlineController}):
 *
 * <pre>
 *   register (with a profile) ───────────────────────────────► Governed
 *   registerUnprofiled ──► Learning ──── walk over, learned ──► Governed
 *                            │   ▲
 *      the fastest point     │   │  measured again (after retryNanos, or at once when the board changed)
 *      misses the budget     ▼   │  and the budget is met now
 *                           Infeasible
 * </pre>
 */
sealed interface ModelPhase permits ModelPhase.Walking, ModelPhase.Governed {

    String name();

    /** When it last ran an inference ({@code Long.MIN_VALUE}: never). */
    long lastSeen();

    /** It ran an inference (or is about to) at {@code now}. */
    void seen(long now);

    /** The point it asks for. */
    OperatingPoint point();

    /** Its budget in ms; NaN while a slowdown budget awaits the fastest point's latency. */
    double budgetMs();

    /** Latencies it holds in its buffers. */
    int samplesKept();

    /** In a word, for status: learning, infeasible, governed. */
    String describe();

    /** A model without a profile: what it holds and asks for is its walk's ({@link Discovery}). */
    sealed interface Walking extends ModelPhase permits Learning, Infeasible {

        Discovery walk();

        @Override
        default String name() {
            return walk().name;
        }

        @Override
        default long lastSeen() {
            return walk().lastSeen();
        }

        @Override
        default void seen(long now) {
            walk().seen(now);
        }

        @Override
        default OperatingPoint point() {
            return walk().current();
        }

        @Override
        default double budgetMs() {
            return walk().budgetMs();
        }

        @Override
        default int samplesKept() {
            return walk().samplesKept();
        }
    }

    /** Without a profile, learning one on the board ({@link Discovery}): at the fastest point, or walking the grid. */
    record Learning(Discovery walk) implements Walking {

        @Override
        public String describe() {
            return "learning";
        }
    }

    /**
     * Without a profile, and even the fastest point missed the budget (since {@code since}): it is held there, and
     * measured there again (fresh samples) from {@code retryAt} on; {@code measuring} while that measurement is under
     * way. If the budget is met then, it learns on.
     */
    record Infeasible(Discovery walk, long since, long retryAt, boolean measuring) implements Walking {

        @Override
        public String describe() {
            return "infeasible";
        }
    }

    /**
     * Held at the point of least energy that keeps its budget, learning the board as it goes ({@link ModelState});
     * {@code discovered} is the profile it learned itself when it was registered without one (null otherwise).
     */
    record Governed(ModelState state, ProfileTable discovered) implements ModelPhase {

        @Override
        public String name() {
            return state.name;
        }

        @Override
        public long lastSeen() {
            return state.lastSeen();
        }

        @Override
        public void seen(long now) {
            state.seen(now);
        }

        @Override
        public OperatingPoint point() {
            return state.current().point();
        }

        @Override
        public double budgetMs() {
            return state.budgetMs;
        }

        @Override
        public int samplesKept() {
            return state.samplesKept();
        }

        @Override
        public String describe() {
            return "governed";
        }
    }
}
