package io.joulegov.cli;

import io.joulegov.cli.compare.Mode;
import io.joulegov.cli.compare.ModeResult;

import java.util.List;
import java.util.Map;

/**
 * The demo's table where the EMC is an axis (the Orin): per workload, every mode's energy saved against dvfs, and
 * its misses where it missed more than the 1% a p99 budget allows, as text and as HTML.
 */
final class DemoModesTable {

    private DemoModesTable() {
    }

    static String text(Map<String, Map<Mode, ModeResult>> results) {
        List<Mode> modes = modes(results);
        StringBuilder s = new StringBuilder(String.format("%-13s| energy saved against dvfs (misses where over 1%%)%n", ""));
        s.append(String.format("%-13s|", "workload"));
        modes.forEach(m -> s.append(String.format(" %15s", m.label())));
        s.append(System.lineSeparator());
        results.forEach((w, byMode) -> {
            s.append(String.format("%-13s|", w));
            modes.forEach(m -> s.append(String.format(" %15s", cell(byMode, m))));
            s.append(System.lineSeparator());
        });
        return s.toString();
    }

    static String html(Map<String, Map<Mode, ModeResult>> results) {
        List<Mode> modes = modes(results);
        StringBuilder h = new StringBuilder(String.format("<table id=\"results\"><tr><th rowspan=\"2\">workload</th>"
                + "<th colspan=\"%d\">energy saved against dvfs (misses where over 1%%)</th></tr>%n<tr>", modes.size()));
        modes.forEach(m -> h.append("<th>").append(m.label()).append("</th>"));
        h.append("</tr>\n");
        results.forEach((w, byMode) -> {
            h.append(String.format("<tr><td><a href=\"#%s\">%s</a></td>", w, w));
            modes.forEach(m -> h.append("<td>").append(cell(byMode, m)).append("</td>"));
            h.append("</tr>\n");
        });
        return h.append("</table>\n").toString();
    }

    /** Every mode but dvfs, in the order they ran. */
    private static List<Mode> modes(Map<String, Map<Mode, ModeResult>> results) {
        return results.values().iterator().next().keySet().stream().filter(m -> !m.equals(Mode.DVFS)).toList();
    }

    private static String cell(Map<Mode, ModeResult> byMode, Mode m) {
        ModeResult r = byMode.get(m);
        double saving = 100 * (1 - r.energyJPerInference() / byMode.get(Mode.DVFS).energyJPerInference());
        return r.missRate() > 0.01 ? String.format("%.1f%% (%.0f%%)", saving, 100 * r.missRate()) : String.format("%.1f%%", saving);
    }
}
