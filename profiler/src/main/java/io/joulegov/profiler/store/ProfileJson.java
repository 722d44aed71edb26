package io.joulegov.profiler.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.joulegov.device.MalformedFileException;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The profile file format (models-cache/README.md): a versioned JSON document with the key and one row per point.
 * Schema 2 says where each row comes from ({@code source}: measured, predicted or learned); schema 1 files, whose
 * rows said {@code predicted}, are still read.
 */
public final class ProfileJson {

    public static final int SCHEMA = 2;
    private static final int OLDEST = 1;

    /** The models-cache's JSON: indented, primitives never null, fields it does not know ignored (MixStore's too). */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * One row as stored: the point's clocks and its measurement, flat. {@code inferences} is what the row rests on;
     * {@code predicted} is schema 1's, read and never written; {@code idleW} is absent where it was not measured.
     */
    record Row(long cpuKHz, long gpuHz, Long emcHz, double meanMs, double p50Ms, double p95Ms, double p99Ms,
               Double energyJ, Double powerW, double cov, long inferences, Double tempC, String source,
               @JsonInclude(JsonInclude.Include.NON_NULL) Boolean predicted,
               @JsonInclude(JsonInclude.Include.NON_NULL) Double idleW) {

        static Row of(Measurement m) {
            OperatingPoint p = m.point();
            return new Row(p.cpuKHz(), p.gpuHz(), p.emcHz(), m.meanMs(), m.p50Ms(), m.p95Ms(), m.p99Ms(), orNull(m.energyJ()),
                    orNull(m.powerW()), m.cov(), m.inferences(), m.tempC(), m.source().name().toLowerCase(Locale.ROOT), null,
                    orNull(m.idleW()));
        }

        /** The row as a measurement; null when its source is not one joulegov knows. */
        Measurement toMeasurement(int schema) {
            Measurement.Source s = schema == 1 ? (Boolean.TRUE.equals(predicted) ? Measurement.Source.PREDICTED : Measurement.Source.MEASURED)
                    : sourceOf(source);
            return s == null ? null : new Measurement(new OperatingPoint(cpuKHz, gpuHz, emcHz), meanMs, p50Ms, p95Ms, p99Ms,
                    orNaN(energyJ), orNaN(powerW), cov, inferences, tempC, s, orNaN(idleW));
        }

        private static Measurement.Source sourceOf(String text) {
            for (Measurement.Source s : Measurement.Source.values()) {
                if (s.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return s;
                }
            }
            return null;
        }

        /** Latency-only rows store energy and power as null. */
        private static Double orNull(double v) {
            return Double.isNaN(v) ? null : v;
        }

        private static double orNaN(Double v) {
            return v == null ? Double.NaN : v;
        }
    }

    record Document(Integer schema, ProfileKey key, List<Row> rows, String writtenAt) {
    }

    private ProfileJson() {
    }

    public static byte[] encode(ProfileTable table, String writtenAt) {
        try {
            return JSON.writeValueAsBytes(new Document(SCHEMA, table.key(), table.rows().stream().map(Row::of).toList(), writtenAt));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a profile; {@code name} says which file in errors. */
    public static ProfileTable decode(byte[] bytes, String name) {
        return decodeStored(bytes, name).table();
    }

    /** A profile with the time it was written (null when its file does not say). */
    public record Stored(ProfileTable table, Instant writtenAt) {
    }

    /** As {@link #decode}, with the time the profile was written. */
    public static Stored decodeStored(byte[] bytes, String name) {
        Document doc;
        try {
            doc = JSON.readValue(bytes, Document.class);
        } catch (java.io.IOException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            throw malformed(name, message.lines().findFirst().orElse(message));
        }
        if (doc == null || doc.schema() == null) {
            throw malformed(name, "not a joulegov profile (no schema)");
        }
        if (doc.schema() < OLDEST || doc.schema() > SCHEMA) {
            throw malformed(name, "schema " + doc.schema() + " is not a supported schema (" + OLDEST + " to " + SCHEMA + ")");
        }
        ProfileKey key = doc.key();
        if (key == null || key.board() == null || key.model() == null || key.source() == null) {
            throw malformed(name, "its key lacks the board, the model or the source");
        }
        if (!List.of(ProfileKey.MEASURED, ProfileKey.VIRTUAL, ProfileKey.IMPORTED).contains(key.source())) {
            throw malformed(name, "unknown source '" + key.source() + "'");
        }
        if (doc.rows() == null || doc.rows().isEmpty()) {
            throw malformed(name, "it has no rows");
        }
        Set<OperatingPoint> seen = new HashSet<>();
        List<Measurement> rows = new java.util.ArrayList<>();
        for (Row row : doc.rows()) {
            if (row == null) {
                throw malformed(name, "a row is null");
            }
            Measurement m = row.toMeasurement(doc.schema());
            if (m == null) {
                throw malformed(name, "a row's source is '" + row.source() + "', not measured, predicted or learned");
            }
            String problem = m.problem();
            if (problem != null) {
                throw malformed(name, problem);
            }
            if (!seen.add(m.point())) {
                throw malformed(name, "two rows for " + m.point());
            }
            rows.add(m);
        }
        return new Stored(new ProfileTable(key, rows), writtenAt(doc.writtenAt()));
    }

    private static Instant writtenAt(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static MalformedFileException malformed(String name, String why) {
        return new MalformedFileException("malformed profile " + name + ": " + why);
    }
}
