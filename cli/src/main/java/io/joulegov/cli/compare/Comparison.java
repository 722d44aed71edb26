package io.joulegov.cli.compare;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.InfeasibleException;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.spec.Boards;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The same workload on a virtual board under each mode: {@code dvfs} (the emulated default governors in the mode the
 * board boots in), {@code jetson-clocks} (every clock at its top), {@code mode-NAME} (each other nvpmodel mode under
 * the default governors), {@code static} (the profile's choice held fixed, the founding study's method),
 * {@code emc-blind} (the governor given a CPU x GPU profile, the EMC left to the kernel: only where the profile has
 * the EMC as an axis), {@code adaptive} (the governor) and {@code oracle} (the cheapest fixed point that meets the
 * budget over the very same run, found by running the candidates cheapest first by a full sweep of this very unit). The budget is resolved once, against
 * the profile the governor is given (the full sweep when it is given none), and every mode is held to it. Without
 * a profile there is no static mode.
 */
public final class Comparison {

    /** How many fixed points the oracle tries, cheapest first by the profile, before it settles. */
    static final int ORACLE_CANDIDATES = 12;

    private Comparison() {
    }

    /**
     * Runs every mode; {@code truth} is a full sweep of the unit run on, from which the oracle takes its candidates,
     * and {@code emcBlind} a CPU x GPU sweep of it with the EMC left to the kernel (null: no emc-blind mode).
     *
     * @throws InfeasibleException when no point of the profile meets the budget, or no fixed point met it on the run
     */
    public static Map<Mode, ModeResult> run(ModeRun.Setup given, ProfileTable truth, ProfileTable emcBlind) throws Exception {
        ProfileTable profile = given.profile() == null ? truth : given.profile();
        Selection choice = Selector.select(profile, Request.minEnergy(given.budget(), given.percentile()));
        if (!choice.feasible()) {
            throw InfeasibleException.of(null, choice);
        }
        ModeRun.Setup s = new ModeRun.Setup(given.board(), given.unit(), given.model(), given.profile(),
                new Budget.Millis(choice.budgetMs()), given.percentile(), given.rate(), given.durationS(),
                given.disturbance(), given.seed(), given.emcAxis());
        Map<Mode, ModeResult> out = new LinkedHashMap<>();
        out.put(Mode.DVFS, ModeRun.run(s, Mode.DVFS, null));
        out.put(Mode.JETSON_CLOCKS, ModeRun.run(s, Mode.JETSON_CLOCKS, null));
        for (BoardSpec.PowerMode m : Boards.byName(s.board()).otherModes()) {
            out.put(Mode.of(m), ModeRun.run(s, Mode.of(m), null));
        }
        if (given.profile() != null) {
            out.put(Mode.STATIC, ModeRun.run(s, Mode.STATIC, choice.chosen().point()));
        }
        if (emcBlind != null) {
            out.put(Mode.EMC_BLIND, ModeRun.run(s.withProfile(emcBlind), Mode.EMC_BLIND, null));
        }
        out.put(Mode.ADAPTIVE, ModeRun.run(s, Mode.ADAPTIVE, null));
        out.put(Mode.ORACLE, oracle(s, truth, choice.budgetMs()));
        return out;
    }

    /** Runs fixed points in order of the unit's own energy; the cheapest that met the budget on the board wins. */
    static ModeResult oracle(ModeRun.Setup s, ProfileTable truth, double budgetMs) throws Exception {
        double allowance = s.percentile().missAllowance();
        List<Measurement> order = truth.rows().stream()
                .filter(m -> s.percentile().of(m) <= budgetMs * 1.25)
                .sorted(Comparator.comparingDouble(Measurement::energyJ)).toList();
        ModeResult best = cheapestMeeting(order.stream().map(Measurement::point).toList(),
                p -> ModeRun.run(s, Mode.ORACLE, p),
                r -> Double.isNaN(allowance) ? r.meanMs() <= budgetMs : r.missRate() <= allowance,
                ModeResult::energyJPerInference, Integer.MAX_VALUE);
        if (best == null) {
            throw new InfeasibleException("no fixed point meets the budget on this run");
        }
        return best;
    }

    /** One fixed point's run. */
    @FunctionalInterface
    interface FixedRun<R> {
        R at(OperatingPoint point) throws Exception;
    }

    /**
     * The oracle's search: runs the points in {@code order}, and once {@link #ORACLE_CANDIDATES} are run and one met
     * its budget, the cheapest that did; null when none did within {@code atMost} runs.
     */
    static <R> R cheapestMeeting(List<OperatingPoint> order, FixedRun<R> run, Predicate<R> meets, ToDoubleFunction<R> energy,
                                 int atMost) throws Exception {
        R best = null;
        int tried = 0;
        for (OperatingPoint p : order) {
            R r = run.at(p);
            if (meets.test(r) && (best == null || energy.applyAsDouble(r) < energy.applyAsDouble(best))) {
                best = r;
            }
            if (++tried >= ORACLE_CANDIDATES && best != null || tried >= atMost) {
                break;
            }
        }
        return best;
    }
}
