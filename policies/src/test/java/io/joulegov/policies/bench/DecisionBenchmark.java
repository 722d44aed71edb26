package io.joulegov.policies.bench;

import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.policies.select.Request;
import io.joulegov.policies.select.Selection;
import io.joulegov.policies.select.Selector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;

import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One decision (min-energy under a budget at p95, from the whole table) over the Xavier NX's 25 x 15 = 375 CPU x GPU
 * points, and over 375 x 4 EMC rates = 1500 points. Run with bench/decision.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecisionBenchmark {

    @Param({"1", "4"})
    int emcRates;

    ProfileTable table;
    Request request;

    @Setup
    public void setUp() {
        Random r = new Random(1);
        List<Measurement> rows = new ArrayList<>();
        for (int c = 0; c < 25; c++) {
            for (int g = 0; g < 15; g++) {
                for (int e = 0; e < emcRates; e++) {
                    double ms = 10 + 100 * r.nextDouble();
                    double j = 0.05 + 0.1 * r.nextDouble();
                    rows.add(new Measurement(new OperatingPoint(115200L + 76800L * c,
                            114750000L + 70000000L * g, emcRates == 1 ? null : 800000000L + 200000000L * e),
                            ms, ms, ms * 1.06, ms * 1.1, j, j / (ms / 1e3), 0.01, 3200, null, Measurement.Source.MEASURED));
                }
            }
        }
        table = new ProfileTable(new ProfileKey("jetson-xavier-nx", null, null, null, List.of(), List.of(), List.of(), "m",
                "00000000", 1, List.of(), "bench", 1, 1, 3200, 10, 100, ProfileKey.VIRTUAL), rows);
        request = Request.minEnergy(new Budget.Slowdown(1.4), Percentile.P95);
    }

    @Benchmark
    public Selection decide() {
        return Selector.select(table, request);
    }
}
