package io.joulegov.profiler.store;

import io.joulegov.device.MalformedFileException;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CSV form of a profile's rows, shared by {@code joulegov import --csv} and {@code joulegov show --csv}:
 * {@value #HEADER}. On import the columns may come in any order; {@code emc_hz}, the percentiles, {@code cov} and
 * {@code idle_w} (the board's power at the point with no inference) may be empty or absent (percentiles then equal the
 * mean), and one of {@code energy_j} (per inference) or {@code power_w} must be given (energy = power x mean latency).
 */
public final class ProfileCsv {

    public static final String HEADER = "cpu_khz,gpu_hz,emc_hz,mean_ms,p50_ms,p95_ms,p99_ms,energy_j,power_w,cov,idle_w";
    private static final Set<String> COLUMNS = Set.of(HEADER.split(","));

    private ProfileCsv() {
    }

    public static String format(List<Measurement> rows) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (Measurement m : rows) {
            OperatingPoint p = m.point();
            out.append(p.cpuKHz()).append(',').append(p.gpuHz()).append(',').append(p.emcHz() == null ? "" : p.emcHz())
                    .append(',').append(num(m.meanMs())).append(',').append(num(m.p50Ms())).append(',')
                    .append(num(m.p95Ms())).append(',').append(num(m.p99Ms())).append(',').append(num(m.energyJ()))
                    .append(',').append(num(m.powerW())).append(',').append(num(m.cov())).append(',').append(num(m.idleW()))
                    .append('\n');
        }
        return out.toString();
    }

    public static List<Measurement> parse(String text, String name) {
        List<String> lines = text.lines().toList();
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw bad(name, 1, "empty file; the first line must be the header " + HEADER);
        }
        String[] header = lines.get(0).trim().replace("\uFEFF", "").toLowerCase(Locale.ROOT).split(",", -1);
        Map<String, Integer> column = new HashMap<>();
        for (int i = 0; i < header.length; i++) {
            String h = header[i].trim();
            if (!COLUMNS.contains(h)) {
                throw bad(name, 1, "unknown column '" + h + "' (the header is " + HEADER + ")");
            }
            if (column.put(h, i) != null) {
                throw bad(name, 1, "column '" + h + "' appears twice");
            }
        }
        for (String required : List.of("cpu_khz", "gpu_hz", "mean_ms")) {
            if (!column.containsKey(required)) {
                throw bad(name, 1, "missing column " + required);
            }
        }
        if (!column.containsKey("energy_j") && !column.containsKey("power_w")) {
            throw bad(name, 1, "one of energy_j or power_w is needed");
        }
        List<Measurement> rows = new ArrayList<>();
        Set<OperatingPoint> seen = new HashSet<>();
        for (int n = 1; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            if (cells.length != header.length) {
                throw bad(name, n + 1, cells.length + " fields where the header has " + header.length);
            }
            Row r = new Row(cells, column, name, n + 1);
            long cpu = r.whole("cpu_khz");
            long gpu = r.whole("gpu_hz");
            Long emc = r.has("emc_hz") ? r.whole("emc_hz") : null;
            double mean = r.positive("mean_ms");
            double energy;
            double power;
            if (r.has("energy_j")) {
                energy = r.positive("energy_j");
                power = r.has("power_w") ? r.positive("power_w") : energy / (mean / 1e3);
            } else if (r.has("power_w")) {
                power = r.positive("power_w");
                energy = power * mean / 1e3;
            } else {
                throw bad(name, n + 1, "neither energy_j nor power_w is given");
            }
            double p50 = r.has("p50_ms") ? r.positive("p50_ms") : mean;
            double p95 = r.has("p95_ms") ? r.positive("p95_ms") : mean;
            double p99 = r.has("p99_ms") ? r.positive("p99_ms") : mean;
            double cov = r.has("cov") ? r.nonNegative("cov") : 0;
            double idle = r.has("idle_w") ? r.nonNegative("idle_w") : Double.NaN;
            OperatingPoint point = new OperatingPoint(cpu, gpu, emc);
            if (!seen.add(point)) {
                throw bad(name, n + 1, "a second row for " + point);
            }
            rows.add(new Measurement(point, mean, p50, p95, p99, energy, power, cov, 0, null, Measurement.Source.MEASURED, idle));
        }
        if (rows.isEmpty()) {
            throw bad(name, 2, "no rows after the header");
        }
        return rows;
    }

    /** Unknown values (a latency-only profile's energy) are left empty. */
    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static MalformedFileException bad(String name, int line, String why) {
        return new MalformedFileException(name + " line " + line + ": " + why);
    }

    /** One data line, read by column name. */
    private record Row(String[] cells, Map<String, Integer> column, String name, int line) {

        boolean has(String col) {
            Integer i = column.get(col);
            return i != null && !cells[i].isBlank();
        }

        private String cell(String col) {
            if (!has(col)) {
                throw bad(name, line, col + " is empty");
            }
            return cells[column.get(col)].trim();
        }

        long whole(String col) {
            String v = cell(col);
            try {
                long x = Long.parseLong(v);
                if (x < 0) {
                    throw bad(name, line, col + " is negative: " + v);
                }
                return x;
            } catch (NumberFormatException e) {
                throw bad(name, line, col + " is not a whole number: '" + v + "'");
            }
        }

        double nonNegative(String col) {
            String v = cell(col);
            double x;
            try {
                x = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw bad(name, line, col + " is not a number: '" + v + "'");
            }
            if (!Double.isFinite(x) || x < 0) {
                throw bad(name, line, col + " must be a finite number >= 0, not " + v);
            }
            return x;
        }

        double positive(String col) {
            double x = nonNegative(col);
            if (x == 0) {
                throw bad(name, line, col + " must be above 0");
            }
            return x;
        }
    }
}
