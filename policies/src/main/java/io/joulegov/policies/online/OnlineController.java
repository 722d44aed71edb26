package io.joulegov.policies.online;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds each registered model at the cheapest point of its Pareto frontier that keeps its latency budget, as
 * inference runs. Pure logic: it is told what latencies were observed and when, and answers which point to hold.
 *
 * <ul>
 *   <li>It starts at the profile's min-energy choice for the budget.</li>
 *   <li>When the budget is threatened (the observed percentile passes the budget, the miss rate passes the
 *       allowance, or misses come in a row) it steps at once to the cheapest point predicted to meet the budget
 *       with a margin, predictions being profiled latencies scaled by what it observes (observed over profiled);
 *       the point it left is barred for a while.</li>
 *   <li>It steps back toward cheaper points only after a minimum dwell, with hysteresis, one step at a time.</li>
 *   <li>With no inference for a while it asks for the idle setting (the lowest clocks of the profile); the next
 *       inference gets the working point back.</li>
 *   <li>Several models each keep their own point; while more than one is active the board holds, per clock, the
 *       highest any of them needs.</li>
 * </ul>
 */
public final class OnlineController {

    private final ControllerSettings settings;
    private final Map<String, ModelState> models = new LinkedHashMap<>();
    private OperatingPoint idlePoint;

    public OnlineController(ControllerSettings settings) {
        this.settings = settings;
    }

    /**
     * Registers (or re-registers) a model with its profile and budget.
     *
     * @throws IllegalArgumentException when no point of the profile meets the budget (the answer names the fastest)
     */
    public void register(String model, ProfileTable table, Budget budget, Percentile percentile, long now) {
        Selection start = Selector.select(table, Request.minEnergy(budget, percentile));
        if (!start.feasible()) {
            throw new IllegalArgumentException(model + ": " + start.describe());
        }
        List<Measurement> frontier = Selector.paretoFrontier(table, percentile);
        int index = 0;
        for (int i = 0; i < frontier.size(); i++) {
            if (percentile.of(frontier.get(i)) <= start.budgetMs()) {
                index = i;
            }
        }
        ModelState state = new ModelState(model, frontier, start.budgetMs(), percentile, index, settings);
        state.enteredAt = now;
        models.put(model, state);
        long cpu = table.rows().stream().mapToLong(m -> m.point().cpuKHz()).min().orElseThrow();
        long gpu = table.rows().stream().mapToLong(m -> m.point().gpuHz()).min().orElseThrow();
        Long emc = table.rows().stream().map(m -> m.point().emcHz()).filter(e -> e != null).min(Long::compare).orElse(null);
        OperatingPoint idle = new OperatingPoint(cpu, gpu, emc);
        idlePoint = idlePoint == null ? idle : lowest(idlePoint, idle);
    }

    public void unregister(String model) {
        models.remove(model);
    }

    /** One inference of {@code model} that ended at {@code now} after {@code latencyMs}. */
    public void observe(String model, long now, double latencyMs) {
        ModelState s = models.get(model);
        if (s == null) {
            return;
        }
        s.lastSeen = now;
        s.record(latencyMs);
        adjust(s, now);
    }

    /** {@code model} is about to run an inference: it is active from now, whatever the controller held while idle. */
    public void begin(String model, long now) {
        ModelState s = models.get(model);
        if (s != null) {
            s.lastSeen = now;
        }
    }

    /** The point to hold now. */
    public Decision decide(long now) {
        OperatingPoint held = null;
        String who = null;
        for (ModelState s : models.values()) {
            if (s.lastSeen != Long.MIN_VALUE && now - s.lastSeen < settings.idleNanos()) {
                held = held == null ? s.current().point() : highest(held, s.current().point());
                who = who == null ? s.name : who + "+" + s.name;
            }
        }
        if (held == null) {
            return new Decision(idlePoint, null, models.isEmpty() ? "no model registered" : "idle");
        }
        return new Decision(held, who, "working");
    }

    /** A model's budget in ms (a slowdown resolved against its profile), NaN for a model not registered. */
    public double budgetMsOf(String model) {
        ModelState s = models.get(model);
        return s == null ? Double.NaN : s.budgetMs;
    }

    /** The point a model works at, for status and metrics. */
    public OperatingPoint pointOf(String model) {
        ModelState s = models.get(model);
        return s == null ? null : s.current().point();
    }

    private void adjust(ModelState s, long now) {
        boolean streak = s.streak >= settings.missStreak();
        if (s.samplesHere < settings.minSamples() && !streak) {
            return;
        }
        double correction = s.learn(now);
        double observed = s.observed();
        double allowance = s.percentile.missAllowance();
        boolean missingTooOften = s.missRateKnown() && s.missRate() > allowance;
        boolean overBudget = s.percentileKnown() && observed > s.budgetMs;
        if (streak || missingTooOften || overBudget) {
            int best = cheapestMeeting(s, s.budgetMs * (1 - settings.margin()), correction, now);
            if (best >= s.index && s.index > 0) {
                best = s.index - 1; // the prediction says we are fine, the observations say otherwise
            }
            if (best < s.index) {
                // do not come back here soon: the point failed under the present conditions
                s.blockedFrom = s.index;
                s.blockedUntil = now + 5 * settings.minDwellNanos();
                s.moveTo(best, now);
            }
            return;
        }
        int next = s.index + 1;
        boolean dwelt = now - s.enteredAt >= settings.minDwellNanos();
        boolean headroom = s.percentile.of(s.current()) * correction <= s.budgetMs * (1 - settings.hysteresis());
        boolean blocked = now < s.blockedUntil && next >= s.blockedFrom;
        if (dwelt && headroom && !blocked && next < s.frontier.size() && s.predicted(next, correction, now) <= s.budgetMs) {
            s.moveTo(next, now);
        }
    }

    /** The cheapest candidate predicted to meet {@code target}; the fastest (0) when none is. */
    private static int cheapestMeeting(ModelState s, double target, double correction, long now) {
        int best = 0;
        for (int i = 0; i < s.frontier.size(); i++) {
            if (s.predicted(i, correction, now) <= target) {
                best = i;
            }
        }
        return best;
    }

    private static OperatingPoint highest(OperatingPoint a, OperatingPoint b) {
        Long emc = a.emcHz() == null ? b.emcHz() : b.emcHz() == null ? a.emcHz() : Long.valueOf(Math.max(a.emcHz(), b.emcHz()));
        return new OperatingPoint(Math.max(a.cpuKHz(), b.cpuKHz()), Math.max(a.gpuHz(), b.gpuHz()), emc);
    }

    private static OperatingPoint lowest(OperatingPoint a, OperatingPoint b) {
        Long emc = a.emcHz() == null ? b.emcHz() : b.emcHz() == null ? a.emcHz() : Long.valueOf(Math.min(a.emcHz(), b.emcHz()));
        return new OperatingPoint(Math.min(a.cpuKHz(), b.cpuKHz()), Math.min(a.gpuHz(), b.gpuHz()), emc);
    }
}
