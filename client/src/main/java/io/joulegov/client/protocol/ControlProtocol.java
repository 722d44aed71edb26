package io.joulegov.client.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The control socket's line-delimited JSON protocol. Each request is one JSON object on one line, at most
 * {@link #MAX_FRAME} bytes; each gets one reply line, {@code {"ok":true,...}} or {@code {"ok":false,"error":"..."}}.
 *
 * <pre>
 * {"op":"register","model":"resnet18","hash":"3f2a...","batch":1,"budgetMs":40,"percentile":"p95"}   (or "slowdown":1.3)
 * {"op":"begin","model":"resnet18"}
 * {"op":"report","model":"resnet18","latenciesMs":[31.2,30.9],"endedMsAgo":[52.0,20.7]}   (endedMsAgo optional)
 * {"op":"unregister","model":"resnet18"}
 * {"op":"status"}
 * </pre>
 */
public final class ControlProtocol {

    /** The longest request line, newline included: room for a report of 2,048 latencies and their ages in ms to the µs. */
    public static final int MAX_FRAME = 64 * 1024;
    /** The most latencies one report may carry. */
    public static final int MAX_LATENCIES = 2048;
    /** The longest latency or budget the governor takes: one hour, in ms. */
    public static final double MAX_MS = 3_600_000;
    /** The largest slowdown the governor takes. */
    public static final double MAX_SLOWDOWN = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._+-]{1,64}");

    private ControlProtocol() {
    }

    /** Parses one request line; a malformed one throws {@link IllegalArgumentException} with the reason. */
    public static ControlRequest parse(String line) {
        JsonNode doc;
        try {
            doc = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON");
        }
        if (doc == null || !doc.isObject()) {
            throw new IllegalArgumentException("a request is a JSON object");
        }
        String op = doc.path("op").asText("");
        return switch (op) {
            case "register" -> register(doc);
            case "report" -> report(doc);
            case "begin" -> new ControlRequest.Begin(model(doc));
            case "unregister" -> new ControlRequest.Unregister(model(doc));
            case "status" -> new ControlRequest.Status();
            default -> throw new IllegalArgumentException("unknown op '" + abbreviate(op) + "' (register, begin, report, unregister, status)");
        };
    }

    private static ControlRequest.Register register(JsonNode doc) {
        Double budget = positive(doc, "budgetMs", MAX_MS, "one hour");
        Double slowdown = positive(doc, "slowdown", MAX_SLOWDOWN, "100");
        if ((budget == null) == (slowdown == null)) {
            throw new IllegalArgumentException("register needs exactly one of budgetMs and slowdown");
        }
        String percentile = doc.path("percentile").asText("p95");
        if (!List.of("mean", "p50", "p95", "p99").contains(percentile)) {
            throw new IllegalArgumentException("percentile is mean, p50, p95 or p99");
        }
        int batch = doc.path("batch").asInt(1);
        if (batch < 1 || batch > 4096) {
            throw new IllegalArgumentException("batch must be between 1 and 4096");
        }
        String hash = doc.path("hash").asText("");
        if (!hash.isEmpty() && !hash.matches("[0-9a-f]{8,64}")) {
            throw new IllegalArgumentException("hash is 8 to 64 lowercase hex digits");
        }
        return new ControlRequest.Register(model(doc), hash, batch, budget, slowdown, percentile);
    }

    private static ControlRequest.Report report(JsonNode doc) {
        List<Double> latencies = numbers(doc, "latenciesMs", false);
        JsonNode ages = doc.get("endedMsAgo");
        if (ages == null || ages.isNull()) {
            return new ControlRequest.Report(model(doc), latencies, List.of());
        }
        List<Double> ended = numbers(doc, "endedMsAgo", true);
        if (ended.size() != latencies.size()) {
            throw new IllegalArgumentException("endedMsAgo has one entry per latency");
        }
        return new ControlRequest.Report(model(doc), latencies, ended);
    }

    private static String model(JsonNode doc) {
        String model = doc.path("model").asText("");
        if (!NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("model must be a name of 1 to 64 letters, digits or ._+-");
        }
        return model;
    }

    /** A list of 1 to MAX_LATENCIES numbers of ms up to an hour, positive ({@code zeroToo}: or zero). */
    private static List<Double> numbers(JsonNode doc, String field, boolean zeroToo) {
        JsonNode list = doc.path(field);
        if (!list.isArray() || list.isEmpty() || list.size() > MAX_LATENCIES) {
            throw new IllegalArgumentException(field + " is a list of 1 to " + MAX_LATENCIES + " numbers");
        }
        List<Double> out = new ArrayList<>(list.size());
        for (JsonNode n : list) {
            double v = n.asDouble();
            if (!n.isNumber() || !(zeroToo ? v >= 0 : v > 0) || !(v <= MAX_MS)) {
                throw new IllegalArgumentException(field + " holds " + (zeroToo ? "non-negative" : "positive")
                        + " numbers of ms up to one hour (3600000) only");
            }
            out.add(n.asDouble());
        }
        return out;
    }

    /** An optional positive number no larger than {@code max} ({@code maxInWords} in the error). */
    private static Double positive(JsonNode doc, String field, double max, String maxInWords) {
        JsonNode n = doc.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || !(n.asDouble() > 0) || !(n.asDouble() <= max)) {
            throw new IllegalArgumentException(field + " must be a positive number up to " + maxInWords);
        }
        return n.asDouble();
    }

    /** A request line (without the newline) of the fields given, in their order. */
    public static String request(Map<String, Object> fields) {
        return json(fields);
    }

    /** A reply line (without the newline). */
    public static String reply(ControlReply reply) {
        return json(reply);
    }

    /** A refusal's reply line. */
    public static String error(String why) {
        return reply(new ControlReply.Refused(why));
    }

    private static String json(Object doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 32 ? s.substring(0, 32) + "..." : s;
    }
}
