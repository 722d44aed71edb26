package io.joulegov.governor.daemon;

import io.joulegov.device.MalformedFileException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's configuration file ({@code /etc/joulegov/joulegov.conf}): one {@code key = value} a line, {@code #}
 * starts a comment, and {@code model} may repeat. Command-line options win over it. See systemd/joulegov.conf.
 */
public record GovernConfig(Map<String, String> settings, List<ModelLine> models) {

    /** A model to govern from the start: {@code model = NAME slowdown=F|budget-ms=X [percentile=P] [batch=B]}. */
    public record ModelLine(String name, Double slowdown, Double budgetMs, String percentile, int batch) {
    }

    public static final Set<String> KEYS = Set.of("root", "socket", "socket-group", "metrics-port", "sample-ms", "cache",
            "state", "allow-virtual-profiles", "model");
    private static final long MAX_BYTES = 64 * 1024;

    public static GovernConfig empty() {
        return new GovernConfig(Map.of(), List.of());
    }

    public static GovernConfig read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new MalformedFileException("configuration " + file + " is over 64 KiB: not a joulegov.conf");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new MalformedFileException("configuration " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new MalformedFileException("cannot read the configuration " + file + ": " + e.getMessage());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        List<ModelLine> models = new ArrayList<>();
        int n = 0;
        for (String raw : text.split("\n", -1)) {
            n++;
            String line = raw.replaceFirst("#.*", "").strip();
            if (line.isEmpty()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw bad(file, n, "expected 'key = value', found '" + abbreviate(line) + "'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw bad(file, n, "unknown key '" + abbreviate(key) + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
            if (value.isEmpty()) {
                throw bad(file, n, key + " has no value");
            }
            if (key.equals("model")) {
                models.add(model(file, n, value));
            } else if (settings.put(key, value) != null) {
                throw bad(file, n, key + " is given twice");
            }
        }
        GovernConfig config = new GovernConfig(settings, models);
        config.integer("metrics-port", 0, 65535, file);
        config.integer("sample-ms", 10, 1000, file);
        String allow = settings.get("allow-virtual-profiles");
        if (allow != null && !allow.equals("true") && !allow.equals("false")) {
            throw new MalformedFileException(file + ": allow-virtual-profiles is true or false, not '" + abbreviate(allow) + "'");
        }
        return config;
    }

    public String get(String key) {
        return settings.get(key);
    }

    /** A whole-number setting within bounds, or null when absent. */
    public Integer integer(String key, int min, int max, Path file) {
        String v = settings.get(key);
        if (v == null) {
            return null;
        }
        try {
            int i = Integer.parseInt(v);
            if (i >= min && i <= max) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new MalformedFileException(file + ": " + key + " must be a whole number from " + min + " to " + max
                + ", not '" + abbreviate(v) + "'");
    }

    private static ModelLine model(Path file, int n, String value) {
        String[] parts = value.split("\\s+");
        String name = parts[0];
        if (!name.matches("[A-Za-z0-9._+-]{1,64}")) {
            throw bad(file, n, "model name '" + abbreviate(name) + "' is not 1 to 64 letters, digits or ._+-");
        }
        Double slowdown = null;
        Double budgetMs = null;
        String percentile = "p95";
        int batch = 1;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw bad(file, n, "expected name=value after the model name, found '" + abbreviate(parts[i]) + "'");
            }
            try {
                switch (kv[0]) {
                    case "slowdown" -> slowdown = positive(kv[1]);
                    case "budget-ms" -> budgetMs = positive(kv[1]);
                    case "percentile" -> percentile = kv[1];
                    case "batch" -> batch = Integer.parseInt(kv[1]);
                    default -> throw bad(file, n, "unknown model setting '" + abbreviate(kv[0])
                            + "' (slowdown, budget-ms, percentile, batch)");
                }
            } catch (NumberFormatException e) {
                throw bad(file, n, kv[0] + " must be a positive number, not '" + abbreviate(kv[1]) + "'");
            }
        }
        if ((slowdown == null) == (budgetMs == null)) {
            throw bad(file, n, "model " + name + " needs exactly one of slowdown= and budget-ms=");
        }
        if (!List.of("mean", "p50", "p95", "p99").contains(percentile)) {
            throw bad(file, n, "percentile is mean, p50, p95 or p99");
        }
        if (batch < 1 || batch > 4096) {
            throw bad(file, n, "batch must be from 1 to 4096");
        }
        return new ModelLine(name, slowdown, budgetMs, percentile, batch);
    }

    private static double positive(String s) {
        double v = Double.parseDouble(s);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new NumberFormatException(s);
        }
        return v;
    }

    private static MalformedFileException bad(Path file, int line, String why) {
        return new MalformedFileException(file + " line " + line + ": " + why);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
