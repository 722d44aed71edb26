package io.joulegov.cli.compare;

import io.joulegov.policies.mix.Mix;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.spec.Boards;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pipeline on a virtual board under each mode (issue 28): {@code dvfs}, {@code jetson-clocks} (which also sets the
 * budgets: each member's latency at its percentile there, every clock at its top and the others running, times the
 * slowdown), each other power mode, {@code max-of-singles} (the governor as it holds several models today: the
 * per-clock maximum of each member's own choice) and {@code oracle} (the cheapest fixed point that keeps every
 * member's budget over the very same run: candidates in the order the members' profiles predict the mix's power,
 * {@link Mix}, among the points whose latencies, stretched as the top clocks' run stretched them, that excess grown
 * with the others' busy share at the point, keep the budgets within {@link #PREDICTION_SLACK}).
 */
public final class PipelineComparison {

    /** The oracle gives up after this many fixed points when none kept the budgets (three times {@link Comparison#ORACLE_CANDIDATES}). */
    static final int ORACLE_TRIES = 3 * Comparison.ORACLE_CANDIDATES;
    /** How far over a budget a point's predicted latency in the mix may be and still be tried. */
    static final double PREDICTION_SLACK = 1.05;

    /** Each member's budget (ms), and every mode's run. */
    public record Outcome(Map<String, Double> budgetsMs, Map<Mode, PipelineRun.Result> modes) {
    }

    private PipelineComparison() {
    }

    /** @throws InfeasibleException when no fixed point kept every member's budget on the run */
    public static Outcome run(PipelineRun.Setup s, double slowdown) throws Exception {
        Map<Mode, PipelineRun.Result> out = new LinkedHashMap<>();
        out.put(Mode.DVFS, PipelineRun.run(s, Mode.DVFS, null, Map.of()));
        PipelineRun.Result top = PipelineRun.run(s, Mode.JETSON_CLOCKS, null, Map.of());
        out.put(Mode.JETSON_CLOCKS, top);
        Map<String, Double> budgets = new LinkedHashMap<>();
        top.members().forEach((model, r) -> budgets.put(model, slowdown * r.latencyMs(s.percentile())));
        for (BoardSpec.PowerMode m : Boards.byName(s.board()).otherModes()) {
            out.put(Mode.of(m), PipelineRun.run(s, Mode.of(m), null, Map.of()));
        }
        out.put(Mode.MAX_OF_SINGLES, PipelineRun.run(s, Mode.MAX_OF_SINGLES, null, budgets));
        out.put(Mode.ADAPTIVE, PipelineRun.run(s, Mode.ADAPTIVE, null, budgets));
        out.put(Mode.ORACLE, oracle(s, top, budgets));
        return new Outcome(budgets, out);
    }

    private static PipelineRun.Result oracle(PipelineRun.Setup s, PipelineRun.Result top, Map<String, Double> budgets)
            throws Exception {
        Mix mix = new Mix(s.members().stream().map(m -> new Mix.Member(m.profile(), m.rate())).toList());
        Map<String, Double> stretch = new LinkedHashMap<>();
        Map<String, Measurement> fastest = new LinkedHashMap<>();
        for (PipelineRun.Member m : s.members()) {
            Measurement alone = m.profile().fastest(s.percentile()); // the top clocks, alone
            fastest.put(m.model(), alone);
            stretch.put(m.model(), top.members().get(m.model()).latencyMs(s.percentile()) / s.percentile().of(alone));
        }
        List<OperatingPoint> order = s.members().get(0).profile().rows().stream().map(Measurement::point)
                .filter(p -> s.members().stream().allMatch(m -> m.profile().at(p)
                        .map(r -> s.percentile().of(r) * inMix(s, m, p, stretch.get(m.model()), fastest)
                                <= budgets.get(m.model()) * PREDICTION_SLACK)
                        .orElse(false)))
                .filter(p -> Double.isFinite(mix.wattsAt(p)))
                .sorted(Comparator.comparingDouble(mix::wattsAt)).toList();
        PipelineRun.Result best = Comparison.cheapestMeeting(order, p -> PipelineRun.run(s, Mode.ORACLE, p, budgets),
                r -> r.meets(budgets, s.percentile()), PipelineRun.Result::energyJ, ORACLE_TRIES);
        if (best == null) {
            throw new InfeasibleException("no fixed point keeps every member's budget on this run");
        }
        return best;
    }

    /**
     * How much the others stretch {@code m} at {@code p}: the top clocks' stretch, its excess grown with the others'
     * busy share there (slower clocks keep them busy longer, and co-runners contend in proportion), as their profiles
     * made alone give it.
     */
    private static double inMix(PipelineRun.Setup s, PipelineRun.Member m, OperatingPoint p, double topStretch,
                                Map<String, Measurement> fastest) {
        double here = 0;
        double atTop = 0;
        for (PipelineRun.Member o : s.members()) {
            if (o != m) {
                here += o.rate() * o.profile().at(p).map(Measurement::meanMs).orElse(Double.NaN) / 1e3;
                atTop += o.rate() * fastest.get(o.model()).meanMs() / 1e3;
            }
        }
        return 1 + (topStretch - 1) * here / atTop;
    }
}
