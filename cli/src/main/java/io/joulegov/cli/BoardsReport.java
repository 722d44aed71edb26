package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.CpuPolicy;

import java.nio.file.Path;
import java.util.List;

/** The {@code boards --json} object (docs/DESIGN.md), components in the order they are printed. */
record BoardsReport(String board, String model, String l4t, List<Cpu> cpu, Gpu gpu, Emc emc, List<Rail> rails,
                    Double boardPowerW, List<Zone> thermal) {

    record Cpu(String policy, List<Integer> cpus, String governor, List<String> governors, List<Long> frequenciesKHz,
               long minKHz, long maxKHz, Long curKHz) {
    }

    record Gpu(String name, String path, String governor, List<String> governors, List<Long> frequenciesHz, long minHz,
               long maxHz, Long curHz) {
    }

    record Emc(long rateHz, boolean lockable, List<Long> ratesHz) {
    }

    record Rail(String name, String role, Double powerW) {
    }

    record Zone(String name, Double tempC) {
    }

    static BoardsReport of(Board board, PowerNow power) {
        return new BoardsReport(board.identity().kind(), board.identity().model(), board.identity().l4t(),
                board.cpuPolicies().stream().map(p -> cpu(board, p)).toList(),
                board.gpu().map(g -> new Gpu(g.name(), board.root().relative(g.dir()), g.governor(), g.governors(),
                        g.frequenciesHz(), g.minHz(), g.maxHz(), current(board, g.dir().resolve("cur_freq")))).orElse(null),
                board.emc().map(e -> new Emc(e.rateHz(), e.lockable(), e.ratesHz())).orElse(null),
                board.rails().stream().map(r -> new Rail(r.name(), r.role().label(),
                        finiteOrNull(power.railWatts().getOrDefault(r.name(), Double.NaN)))).toList(),
                finiteOrNull(power.boardWatts()),
                board.thermalZones().stream().map(z -> new Zone(z.name(), z.tempC())).toList());
    }

    private static Cpu cpu(Board board, CpuPolicy p) {
        return new Cpu(p.name(), p.cpus(), p.governor(), p.governors(), p.frequenciesKHz(), p.minKHz(), p.maxKHz(),
                current(board, p.dir().resolve("scaling_cur_freq")));
    }

    /** A clock as the kernel reports it now; null when the file is missing or unreadable. */
    static Long current(Board board, Path file) {
        return board.root().read(file).filter(v -> v.matches("\\d+")).map(Long::valueOf).orElse(null);
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
