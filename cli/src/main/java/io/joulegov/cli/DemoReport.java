package io.joulegov.cli;

import io.joulegov.policies.select.Selection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * {@code joulegov-demo/report.html}: the demo on one self-contained page (no link leaves it, every picture is
 * embedded): the table, the honesty line about virtual boards, and per workload its heatmaps, its frontier with each
 * mode's run, the modes side by side and each mode's timeline.
 */
final class DemoReport {

    /** A workload's section: its name, the choice for the budget, where its plots were written, and its modes' labels. */
    record Workload(String name, Selection choice, Path plots, List<String> modes) {
    }

    private DemoReport() {
    }

    /** The founding study's table: savings, latency and misses per workload, with the study's figure beside. */
    static String studyTable(List<DemoCommand.Row> rows) {
        StringBuilder h = new StringBuilder();
        h.append("<table id=\"results\"><tr><th rowspan=\"2\">workload</th><th colspan=\"6\">energy saved against dvfs</th>"
                + "<th colspan=\"2\">latency against dvfs</th><th colspan=\"2\">misses (1% allowed)</th></tr>\n<tr><th>jetson-clocks</th>"
                + "<th>low-power</th><th>static</th><th>adaptive</th><th>oracle</th><th>study</th><th>static</th><th>adaptive</th>"
                + "<th>low-power</th><th>adaptive</th></tr>\n");
        for (DemoCommand.Row r : rows) {
            h.append(String.format("<tr><td><a href=\"#%s\">%s</a></td><td>%.1f%%</td><td>%.1f%%</td><td>%.1f%%</td><td>%.1f%%</td>"
                    + "<td>%.1f%%</td><td>%s</td><td>%+.1f%%</td><td>%+.1f%%</td><td>%.2f%%</td><td>%.2f%%</td></tr>%n",
                    r.workload(), r.workload(), r.jetsonClocks(), r.lowPower(), r.fixedChoice(), r.adaptive(), r.oracle(),
                    r.study(), r.staticLatency(), r.adaptiveLatency(), r.lowPowerMisses(), r.adaptiveMisses()));
        }
        return h.append("</table>\n").toString();
    }

    /** The page: {@code table} (HTML) first, then a section per workload. */
    static Path write(String board, String table, List<Workload> workloads, Path file) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>joulegov demo on a virtual ")
                .append(board).append("</title>\n<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
                        + "td:first-child,th:first-child{text-align:left}img{max-width:100%;border:1px solid #eee;margin:6px 0}"
                        + ".honest{background:#fff6d5;padding:8px;border-left:4px solid #e0a800}</style></head><body>\n");
        h.append("<h1>joulegov demo on a virtual ").append(board).append("</h1>\n");
        h.append(String.format("<p>Each workload profiled with a sparse sweep, then run for %.0f s of board time under the default"
                + " governors (dvfs), jetson_clocks, other power modes (the lowest on the founding study's boards), the profile's"
                + " choice held fixed (static), joulegov's governor with the EMC left to the kernel (emc-blind, where the EMC is"
                + " an axis), joulegov's"
                + " governor (adaptive, learning the board's energy as it runs) and the oracle (the cheapest fixed point that"
                + " met the budget on the same run). Budget: %.1fx the fastest point's latency at %s.</p>%n",
                DemoCommand.DURATION_S, DemoCommand.SLOWDOWN, DemoCommand.PERCENTILE.label()));
        h.append("<p class=\"honest\"><b>Savings on a virtual board come from its calibration against the founding study,"
                + " not from measurement.</b></p>\n");
        h.append(table);
        for (Workload w : workloads) {
            h.append("<section id=\"").append(w.name()).append("\">\n<h2>").append(w.name()).append("</h2>\n");
            h.append(String.format("<p>Budget %.1f ms at %s; the profile's choice: %s.</p>%n", w.choice().budgetMs(),
                    w.choice().percentile().label(), w.choice().feasible() ? w.choice().chosen().point() : "none"));
            for (String quantity : List.of("energy", "latency")) {
                for (Path png : heatmaps(w.plots().resolve("profile"), quantity)) { // one per EMC rate on a three-axis profile
                    long emc = emcMHz(png);
                    figure(h, png, (quantity.equals("energy") ? "energy per inference" : "latency") + " over the clock grid"
                            + (emc == 0 ? "" : ", EMC " + emc + " MHz"));
                }
            }
            figure(h, w.plots().resolve("compare/pareto.png"), "the frontier and each mode's run");
            figure(h, w.plots().resolve("compare/modes.png"), "energy and misses by mode");
            for (String mode : w.modes()) {
                Path timeline = w.plots().resolve("compare/timeline-" + mode + ".png");
                if (Files.exists(timeline)) {
                    figure(h, timeline, mode + " over time");
                }
            }
            h.append("</section>\n");
        }
        h.append("</body></html>\n");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, h);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** {@code QUANTITY.png}, or {@code QUANTITY-emcMHZ.png} per EMC rate, slowest EMC first. */
    private static List<Path> heatmaps(Path dir, String quantity) {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches(quantity + "(-emc\\d+)?\\.png"))
                    .sorted(java.util.Comparator.comparingLong(DemoReport::emcMHz)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The EMC rate a heatmap's name gives (MHz), 0 for a CPU x GPU profile's. */
    private static long emcMHz(Path heatmap) {
        String digits = heatmap.getFileName().toString().replaceAll("\\D", "");
        return digits.isEmpty() ? 0 : Long.parseLong(digits);
    }

    private static void figure(StringBuilder h, Path png, String caption) {
        try {
            h.append("<figure><img alt=\"").append(caption).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(Files.readAllBytes(png))).append("\"><figcaption>")
                    .append(caption).append("</figcaption></figure>\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + png, e);
        }
    }
}
