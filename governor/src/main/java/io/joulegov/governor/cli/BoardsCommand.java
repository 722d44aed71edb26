package io.joulegov.governor.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.board.GpuDevfreq;
import io.joulegov.device.board.ThermalZone;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code joulegov boards}: what joulegov finds on a board. */
@Command(name = "boards", description = "Show the board under a root: identity, CPU policies, GPU, EMC, power rails, thermal zones.")
final class BoardsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin
    BoardTarget target = new BoardTarget();

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public void run() {
        try (BoardTarget.Opened opened = target.open(1)) {
            Board board = BoardDiscovery.discover(opened.root());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? Json.of(report(board)) : text(board));
            out.flush();
        }
    }

    /** The {@code boards --json} object of shared/design.md. */
    static Map<String, Object> report(Board board) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("board", board.identity().kind());
        doc.put("model", board.identity().model());
        doc.put("l4t", board.identity().l4t());
        List<Object> cpu = new ArrayList<>();
        for (CpuPolicy p : board.cpuPolicies()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("policy", p.name());
            m.put("cpus", p.cpus());
            m.put("governor", p.governor());
            m.put("governors", p.governors());
            m.put("frequenciesKHz", p.frequenciesKHz());
            m.put("minKHz", p.minKHz());
            m.put("maxKHz", p.maxKHz());
            cpu.add(m);
        }
        doc.put("cpu", cpu);
        doc.put("gpu", board.gpu().map(g -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", g.name());
            m.put("path", board.root().relative(g.dir()));
            m.put("governor", g.governor());
            m.put("governors", g.governors());
            m.put("frequenciesHz", g.frequenciesHz());
            m.put("minHz", g.minHz());
            m.put("maxHz", g.maxHz());
            return m;
        }).orElse(null));
        doc.put("emc", board.emc().map(e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rateHz", e.rateHz());
            m.put("lockable", e.lockable());
            return m;
        }).orElse(null));
        doc.put("rails", board.rails().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", r.name());
            m.put("role", r.role().label());
            return m;
        }).toList());
        doc.put("thermal", board.thermalZones().stream().map(z -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", z.name());
            m.put("tempC", z.tempC());
            return m;
        }).toList());
        return doc;
    }

    static String text(Board board) {
        StringBuilder s = new StringBuilder();
        var id = board.identity();
        s.append(id.kind());
        if (id.model() != null) {
            s.append("  ").append(id.model());
        }
        if (id.l4t() != null) {
            s.append("  (L4T ").append(id.l4t()).append(id.powerMode() != null ? ", power mode " + id.powerMode() : "").append(')');
        }
        s.append('\n');
        for (CpuPolicy p : board.cpuPolicies()) {
            s.append(String.format("CPU %-8s cpus %-10s %-11s %s  limits %s-%s MHz%n", p.name(),
                    p.cpus().stream().map(String::valueOf).collect(Collectors.joining(",")), p.governor(),
                    table(p.frequenciesKHz(), 1e3), mhz(p.minKHz() * 1e3), mhz(p.maxKHz() * 1e3)));
        }
        if (board.cpuPolicies().isEmpty()) {
            s.append("CPU      no cpufreq policies\n");
        }
        if (board.gpu().isPresent()) {
            GpuDevfreq g = board.gpu().get();
            s.append(String.format("GPU %-8s %-22s %s  limits %s-%s MHz%n", g.name(), g.governor(),
                    table(g.frequenciesHz(), 1), mhz(g.minHz()), mhz(g.maxHz())));
        } else {
            s.append("GPU      none found\n");
        }
        board.emc().ifPresentOrElse(e -> s.append(String.format("EMC      %s MHz, %s, %d rates%n", mhz(e.rateHz()),
                        e.lockable() ? "lockable" : "not lockable", e.ratesHz().size())),
                () -> s.append("EMC      not visible (needs debugfs and root)\n"));
        s.append("Rails    ").append(board.rails().isEmpty() ? "none (no energy measurement on this host)"
                : board.rails().stream().map(r -> r.name() + " (" + r.role().label() + ")")
                .collect(Collectors.joining(", "))).append('\n');
        s.append("Thermal  ").append(board.thermalZones().isEmpty() ? "none"
                : board.thermalZones().stream().map(BoardsCommand::zone).collect(Collectors.joining(", ")));
        return s.toString();
    }

    private static String zone(ThermalZone z) {
        String t = z.tempC() == null ? "offline" : String.format("%.1f C", z.tempC());
        return z.name() + " " + t + z.passiveTrip().map(p -> String.format(" (passive %.0f C)", p.tempC())).orElse("");
    }

    private static String table(List<Long> values, double hzPerUnit) {
        if (values.isEmpty()) {
            return "no frequency table";
        }
        return mhz(values.get(0) * hzPerUnit) + "-" + mhz(values.get(values.size() - 1) * hzPerUnit)
                + " MHz (" + values.size() + " steps)";
    }

    private static String mhz(double hz) {
        double m = hz / 1e6;
        return m == Math.rint(m) ? String.valueOf((long) m) : String.format("%.1f", m);
    }
}
