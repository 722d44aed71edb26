package io.joulegov.simulator.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * How one unit of a board kind differs from the calibrated one: silicon varies from chip to chip in how fast each
 * domain gets its work done and in how much power it leaks and switches. Unit 0 is the calibrated board; unit N
 * draws, seeded by N, a factor in [1 - {@link #SPREAD}, 1 + {@link #SPREAD}] for the speed of the CPU, GPU and memory
 * parts of every workload, for static (and idle) power, for each domain's dynamic power and for memory power. The
 * unit shows in the device-tree serial number, as a real board's does.
 */
public record UnitVariation(int unit, double cpuSpeed, double gpuSpeed, double memSpeed, double staticPower,
                            double cpuDynamic, double gpuDynamic, double emcPower) {

    /** The largest departure of any factor from the calibrated board. */
    public static final double SPREAD = 0.10;

    public static UnitVariation of(int unit) {
        if (unit < 0) {
            throw new IllegalArgumentException("a unit is a number from 0, not " + unit);
        }
        if (unit == 0) {
            return new UnitVariation(0, 1, 1, 1, 1, 1, 1, 1);
        }
        Random r = new Random(0x5eed_0000L + unit);
        return new UnitVariation(unit, draw(r), draw(r), draw(r), draw(r), draw(r), draw(r), draw(r));
    }

    /** The serial number unit {@code unit} of {@code board} shows. */
    public static String serial(String board, int unit) {
        return "virtual-" + board + "-unit-" + unit;
    }

    BoardSpec applyTo(BoardSpec s) {
        if (unit == 0) {
            return s;
        }
        BoardSpec.Identity id = s.identity();
        BoardSpec.Power p = s.power();
        Map<String, WorkloadModel> workloads = new LinkedHashMap<>();
        s.workloads().forEach((name, w) -> workloads.put(name, new WorkloadModel(w.name(), w.cpuMs() / cpuSpeed,
                w.gpuMs() / gpuSpeed, w.memMs() / memSpeed, w.fixedMs(), w.cpuSpin(), w.gpuActivity(), w.cpuLoad(),
                w.gpuLoad(), w.inputShape())));
        return new BoardSpec(s.name(), new BoardSpec.Identity(id.model(), id.compatible(), id.release(), serial(s.name(), unit)),
                s.cpu(), s.gpu(), s.emc(), s.rails(), s.zones(),
                new BoardSpec.Power(p.staticWatts() * staticPower, p.idleWatts() * staticPower, scaled(p.cpu(), cpuDynamic),
                        scaled(p.gpu(), gpuDynamic), p.emcWattsAtMax() * emcPower, p.ambientC()),
                s.settling(), s.modes(), Collections.unmodifiableMap(workloads));
    }

    private static DomainPower scaled(DomainPower d, double f) {
        return new DomainPower(d.k() * f, d.kIdle() * f, d.vMin(), d.vMax(), d.kneeMHz(), d.maxMHz());
    }

    private static double draw(Random r) {
        return 1 + SPREAD * (2 * r.nextDouble() - 1);
    }
}
