package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.board.GpuDevfreq;
import io.joulegov.device.board.ThermalZone;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/** {@code joulegov boards}: what joulegov finds on a board. */
@Command(name = "boards", description = "Show the board under a root: identity, CPU policies, GPU, EMC, power rails, thermal zones.")
final class BoardsCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    BoardTarget target = new BoardTarget();

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public void run() {
        try (BoardTarget.Opened opened = target.open(1)) {
            Board board = BoardDiscovery.discover(opened.root());
            PowerNow power = PowerNow.read(board, opened.clock());
            PrintWriter out = spec.commandLine().getOut();
            out.println(json ? Json.of(BoardsReport.of(board, power)) : text(board, power));
            out.flush();
        }
    }

    static String text(Board board, PowerNow power) {
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
            Long cur = BoardsReport.current(board, p.dir().resolve("scaling_cur_freq"));
            s.append(String.format("CPU %-8s cpus %-10s %-11s %s  limits %s-%s MHz, now %s%n", p.name(),
                    p.cpus().stream().map(String::valueOf).collect(Collectors.joining(",")), p.governor(),
                    table(p.frequenciesKHz(), 1e3), mhz(p.minKHz() * 1e3), mhz(p.maxKHz() * 1e3),
                    cur == null ? "unknown" : mhz(cur * 1e3) + " MHz"));
        }
        if (board.cpuPolicies().isEmpty()) {
            s.append("CPU      no cpufreq policies\n");
        }
        if (board.gpu().isPresent()) {
            GpuDevfreq g = board.gpu().get();
            Long cur = BoardsReport.current(board, g.dir().resolve("cur_freq"));
            s.append(String.format("GPU %-8s %-22s %s  limits %s-%s MHz, now %s%n", g.name(), g.governor(),
                    table(g.frequenciesHz(), 1), mhz(g.minHz()), mhz(g.maxHz()), cur == null ? "unknown" : mhz(cur) + " MHz"));
        } else {
            s.append("GPU      none found\n");
        }
        board.emc().ifPresentOrElse(e -> s.append(String.format("EMC      now %s MHz, %s%n", mhz(e.rateHz()),
                        !e.lockable() ? "not lockable"
                                : e.ratesHz().isEmpty() ? "not pinnable (the kernel publishes no rate table)"
                                : "pinnable at " + table(e.ratesHz(), 1))),
                () -> s.append("EMC      not visible (needs debugfs and root)\n"));
        s.append("Rails    ").append(board.rails().isEmpty() ? "none (no energy measurement on this host)"
                : board.rails().stream().map(r -> r.name() + " (" + r.role().label() + ") "
                        + watts(power.railWatts().getOrDefault(r.name(), Double.NaN)))
                .collect(Collectors.joining(", "))).append('\n');
        if (!board.rails().isEmpty()) {
            s.append("Power    ").append(watts(power.boardWatts())).append(" board\n");
        }
        s.append("Thermal  ").append(board.thermalZones().isEmpty() ? "none"
                : board.thermalZones().stream().map(BoardsCommand::zone).collect(Collectors.joining(", ")));
        return s.toString();
    }

    private static String watts(double w) {
        return Double.isFinite(w) ? String.format("%.2f W", w) : "unreadable";
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
