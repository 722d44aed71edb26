package io.joulegov.policies.online;

import io.joulegov.policies.learn.PointCorrection;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.select.Percentile;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One registered model: its candidate points (every profiled point, and the Pareto frontier among them, fastest
 * first), the point it holds, what it has measured (latency and energy, each as a correction of the profile over the
 * grid), its recent latencies and misses, and the pace of its requests.
 */
final class ModelState {

    final String name;
    private final Map<OperatingPoint, Measurement> candidates = new LinkedHashMap<>();
    final List<Measurement> frontier;
    private final PointCorrection energy;
    /** Inferences whose energy was measured, per point. */
    private final Map<OperatingPoint, Double> inferencesLearned = new LinkedHashMap<>();
    final double budgetMs;
    final Percentile percentile;
    final ControllerSettings settings;
    /**
     * Mean latency measured over profiled, as a correction over the grid ({@link ControllerSettings#latencyCorrection}):
     * every {@code minSamples} inferences at a point give one measurement.
     */
    private final PointCorrection latency;
    /** Latencies and misses at the point held. */
    private final LatencyWindow window;
    private final Arrivals arrivals;
    private final long registeredAt;
    private Measurement current;
    private long enteredAt;
    private long lastSeen = Long.MIN_VALUE;
    /** After a point failed: points at least this slow (profiled, ms) are barred until {@link #blockedUntil}. */
    private double blockedAtMs = Double.POSITIVE_INFINITY;
    private long blockedUntil = Long.MIN_VALUE;
    /** Whether the point held was chosen to learn its energy rather than because it is believed cheapest. */
    private boolean exploring;
    private long exploringNanos;
    private long nextChoiceAt = Long.MIN_VALUE;

    ModelState(String name, List<Measurement> rows, List<Measurement> frontier, double budgetMs, Percentile percentile,
               Measurement start, ControllerSettings settings, boolean profiledHere, double predictedSd, long now) {
        this.name = name;
        rows.forEach(m -> candidates.put(m.point(), m));
        this.frontier = frontier;
        Set<OperatingPoint> predicted = rows.stream().filter(Measurement::predicted).map(Measurement::point)
                .collect(Collectors.toSet());
        PointCorrection.Settings prior = settings.energyCorrection();
        PointCorrection.Settings energyPrior = profiledHere ? prior.thisUnit() : prior;
        PointCorrection.Settings latencyPrior = profiledHere ? settings.latencyCorrection().thisUnit() : settings.latencyCorrection();
        if (!Double.isNaN(predictedSd)) {
            energyPrior = energyPrior.withPredictedPointSd(predictedSd);
            latencyPrior = latencyPrior.withPredictedPointSd(predictedSd);
        }
        this.energy = new PointCorrection(List.copyOf(candidates.keySet()), predicted, energyPrior);
        this.latency = new PointCorrection(List.copyOf(candidates.keySet()), predicted, latencyPrior);
        this.budgetMs = budgetMs;
        this.percentile = percentile;
        this.settings = settings;
        this.window = new LatencyWindow(budgetMs, percentile, settings);
        this.arrivals = new Arrivals(settings.arrivalWindowNanos(), settings.idleNanos(), settings.backToBack());
        this.current = start;
        this.enteredAt = now;
        this.registeredAt = now;
    }

    /** It ran an inference (or is about to) at {@code now}. */
    void seen(long now) {
        lastSeen = now;
    }

    long lastSeen() {
        return lastSeen;
    }

    /** Latencies and misses at the point held. */
    LatencyWindow window() {
        return window;
    }

    /** Latencies held (the recent window). */
    int samplesKept() {
        return window.kept();
    }

    /** Every point it may hold, fastest first. */
    Collection<Measurement> candidates() {
        return Collections.unmodifiableCollection(candidates.values());
    }

    /** The candidate at {@code point}, null for a point outside its profile. */
    Measurement candidate(OperatingPoint point) {
        return candidates.get(point);
    }

    /** Inferences whose energy was measured, per point. */
    Map<OperatingPoint, Double> inferencesLearned() {
        return Collections.unmodifiableMap(inferencesLearned);
    }

    /** How many points have measured energy. */
    int pointsLearned() {
        return energy.measuredPoints();
    }

    /** The drift of the board's energy now, common to every point (log factor). */
    double energyLevel() {
        return energy.level();
    }

    /**
     * The board's energy per inference at {@code point}, measured over {@code inferences} inferences (with the idle
     * time between them); a point outside its profile, or no energy, is ignored.
     */
    void observeEnergy(OperatingPoint point, double joulesPerInference, double inferences, long now) {
        Measurement m = candidates.get(point);
        // until the requests' pace is known, what an inference costs with its gap cannot be told from the profile
        if (m != null && (!m.hasIdlePower() || arrivals.known())
                && energy.observe(point, joulesPerInference, cost(m, now), now)) {
            inferencesLearned.merge(point, inferences, Double::sum);
        }
    }

    /** Whether the point held has been held the minimum dwell. */
    boolean dwelt(long now) {
        return now - enteredAt >= settings.minDwellNanos();
    }

    /** Whether it is time to reconsider the point (every {@code chooseEveryNanos}); if so, the next is scheduled. */
    boolean choiceDue(long now) {
        if (now < nextChoiceAt) {
            return false;
        }
        nextChoiceAt = now + settings.chooseEveryNanos();
        return true;
    }

    /** Whether the next try fits in the share of the time given to trying, after an allowance of two dwells. */
    boolean mayExplore(long now) {
        return exploringNanos + settings.minDwellNanos()
                <= settings.exploreShare() * (now - registeredAt) + 2 * settings.minDwellNanos();
    }

    /** The point held failed under the present conditions: it, and every point as slow, is barred for five dwells. */
    void barFromHere(long now) {
        blockedAtMs = percentile.of(current);
        blockedUntil = now + 5 * settings.minDwellNanos();
    }

    Measurement current() {
        return current;
    }

    /** Its requests per second while it runs; NaN until their pace is known. */
    double ratePerS() {
        return arrivals.ratePerS();
    }

    /** An inference of {@code latencyMs} that ended at {@code now}: its pace, whatever point it ran at. */
    void ended(long now, double latencyMs) {
        arrivals.ended(now, latencyMs);
    }

    void record(double latencyMs) {
        window.record(latencyMs);
    }

    /**
     * Remembers what the current point delivers now: observed over profiled latency, at the budget's percentile once
     * the window shows it, by the mean until then (the mean settles after a few samples, a tail takes hundreds).
     */
    double learn(long now) {
        if (window.samplesHere() % settings.minSamples() == 0) {
            latency.observe(current.point(), window.meanOfLast(settings.minSamples()), current.meanMs(), now);
        }
        return window.percentileKnown() ? window.observed() / percentile.of(current())
                : window.mean() / current().meanMs();
    }

    /**
     * How much heavier than profiled the tail is at the point held (1 until its percentile can be observed): the
     * observed correction at the percentile over the learned one of the mean. The same for every candidate of one
     * decision, so computed once per decision.
     */
    double tail(double currentCorrection, long now) {
        if (!window.percentileKnown()) {
            return 1;
        }
        double meanRatio = Math.exp(latency.at(current.point(), now).mean() + latency.level());
        return Math.min(1.5, Math.max(1, currentCorrection / meanRatio));
    }

    /**
     * Predicted latency at the percentile for candidate {@code m}, pessimistic by {@code sds} standard deviations:
     * at the point held, profiled times what is observed there now ({@code currentCorrection}); elsewhere, profiled
     * times the learned correction at {@code m} and the board's drift now, and times {@link #tail}.
     */
    double predicted(Measurement m, double currentCorrection, double tail, long now, double sds) {
        if (m.equals(current)) {
            return percentile.of(m) * currentCorrection;
        }
        PointCorrection.Estimate e = latency.at(m.point(), now);
        return percentile.of(m) * Math.exp(e.mean() + latency.level() + sds * e.sd()) * tail;
    }

    /** The correction of {@link #cost} at {@code m} as measured so far, and its uncertainty. */
    PointCorrection.Estimate energyAt(Measurement m, long now) {
        return energy.at(m.point(), now);
    }

    /**
     * What an inference at {@code m} costs the board by its profile, requests coming as they come now: its energy,
     * and the board's idle power there over the gap it leaves until the next request (where the profile measured
     * idle power; with requests back to back there is none). Corrected by {@link #energyAt}.
     */
    double cost(Measurement m, long now) {
        if (!m.hasIdlePower() || !arrivals.gaps()) {
            return m.energyJ(); // and no latency estimate is needed: the common case, every candidate every decision
        }
        PointCorrection.Estimate e = latency.at(m.point(), now);
        return m.energyJ() + m.idleW() * arrivals.idleSeconds(m.meanMs() * Math.exp(e.mean() + latency.level()));
    }

    boolean barred(Measurement m, long now) {
        return now < blockedUntil && percentile.of(m) >= blockedAtMs;
    }

    /** Ends a try: the time at the point tried counts as exploration. */
    void settle(long now) {
        if (exploring) {
            exploringNanos += now - enteredAt;
            exploring = false;
        }
    }

    /** When it moved to the point held. */
    long enteredAt() {
        return enteredAt;
    }

    /**
     * Its latencies count again from {@code now}, at the point it holds: the ones before ran under another point (a
     * mix's) and say nothing of this one.
     */
    void restartAt(long now) {
        window.clear();
        enteredAt = now;
    }

    void moveTo(Measurement m, long now, boolean explore) {
        if (!m.equals(current)) {
            settle(now);
            exploring = explore;
            current = m;
            window.clear();
            enteredAt = now;
        }
    }
}
