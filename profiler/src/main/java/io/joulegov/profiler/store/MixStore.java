package io.joulegov.profiler.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.sysfs.AtomicFiles;
import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.profile.OperatingPoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the governor learned of mixes of models run together (models-cache/README.md, "Mixes"): one file per mix,
 * board kind, L4T release and power mode, {@code <cache>/<board>/mixes/mix-<hash8>.json}, written atomically; read
 * back when the governor starts, for the board's L4T release and power mode.
 */
public final class MixStore {

    public static final int SCHEMA = 1;
    /** A mix file holds at most a grid's points: a few hundred kB. */
    static final long MAX_BYTES = 16L << 20;

    /** One point as stored: its clocks, the power factor (null where only latency was measured), windows, latencies. */
    record Point(long cpuKHz, long gpuHz, Long emcHz, Double powerFactor, long windows, Map<String, Double> latencyFactors) {
    }

    record Document(Integer schema, String board, String l4t, Integer powerMode, List<String> members, List<Point> points,
                    String writtenAt) {
    }

    /** Mixes read for a board, and the files that could not be (each with why, in one line). */
    public record Loaded(List<LearnedMix> mixes, List<String> skipped) {
    }

    private final Path dir;

    /** The mixes of the models-cache at {@code cacheDir}. */
    public MixStore(Path cacheDir) {
        this.dir = cacheDir;
    }

    /**
     * Where the mix of {@code members} on a board of kind {@code board}, L4T release and power mode is filed: one file
     * per power mode, so that what one mode learned is not overwritten by another's.
     */
    public Path pathFor(String board, String l4t, Integer powerMode, List<String> members) {
        String key = String.join("\n", members) + "\n" + l4t + "\n" + powerMode;
        return dir.resolve(ProfileStore.safe(board)).resolve("mixes")
                .resolve("mix-" + ProfileStore.sha256(key).substring(0, 8) + ".json");
    }

    /** Files what was learned of {@code mix} on this board (its kind, L4T release and power mode), atomically. */
    public Path save(String board, String l4t, Integer powerMode, LearnedMix mix) {
        Path target = pathFor(board, l4t, powerMode, mix.members());
        AtomicFiles.write(target, encode(board, l4t, powerMode, mix, Instant.now().toString()));
        return target;
    }

    /** Every mix learned on a board of this kind, L4T release and power mode; files that cannot be read are skipped. */
    public Loaded load(String board, String l4t, Integer powerMode) {
        Path mixes = dir.resolve(ProfileStore.safe(board)).resolve("mixes");
        List<LearnedMix> out = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (!Files.isDirectory(mixes)) {
            return new Loaded(out, skipped);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(mixes, "mix-*.json")) {
            for (Path f : files) {
                try {
                    if (Files.size(f) > MAX_BYTES) {
                        throw new MalformedFileException("mix " + f + " is larger than any mix can be");
                    }
                    Document doc = read(Files.readAllBytes(f), f.toString());
                    LearnedMix mix = toMix(doc, f.toString());
                    if (doc.board().equals(board) && Objects.equals(doc.l4t(), l4t) && Objects.equals(doc.powerMode(), powerMode)) {
                        out.add(mix);
                    }
                } catch (MalformedFileException | IOException e) {
                    skipped.add(e.getMessage());
                }
            }
        } catch (IOException | DeviceException e) {
            skipped.add("cannot list " + mixes + ": " + e.getMessage()); // governing goes on, the mixes learned afresh
        }
        return new Loaded(out, skipped);
    }

    static byte[] encode(String board, String l4t, Integer powerMode, LearnedMix mix, String writtenAt) {
        List<Point> points = mix.points().stream().map(p -> new Point(p.point().cpuKHz(), p.point().gpuHz(),
                p.point().emcHz(), Double.isNaN(p.powerFactor()) ? null : p.powerFactor(), p.windows(),
                new LinkedHashMap<>(p.latencyFactors()))).toList();
        try {
            return ProfileJson.JSON.writeValueAsBytes(new Document(SCHEMA, board, l4t, powerMode, mix.members(), points, writtenAt));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a mix file; {@code name} says which in errors. */
    static LearnedMix decode(byte[] bytes, String name) {
        return toMix(read(bytes, name), name);
    }

    private static Document read(byte[] bytes, String name) {
        Document doc;
        try {
            doc = ProfileJson.JSON.readValue(bytes, Document.class);
        } catch (IOException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            throw malformed(name, message.lines().findFirst().orElse(message));
        }
        if (doc == null || doc.schema() == null || doc.schema() != SCHEMA) {
            throw malformed(name, "not a joulegov mix of schema " + SCHEMA);
        }
        if (doc.board() == null || doc.members() == null || doc.points() == null) {
            throw malformed(name, "it lacks the board, the members or the points");
        }
        return doc;
    }

    private static LearnedMix toMix(Document doc, String name) {
        Set<OperatingPoint> seen = new HashSet<>();
        List<LearnedMix.Point> points = new ArrayList<>();
        try {
            for (Point p : doc.points()) {
                if (p == null) {
                    throw malformed(name, "a point is null");
                }
                OperatingPoint at = new OperatingPoint(p.cpuKHz(), p.gpuHz(), p.emcHz());
                if (!seen.add(at)) {
                    throw malformed(name, "two points for " + at);
                }
                points.add(new LearnedMix.Point(at, p.powerFactor() == null ? Double.NaN : p.powerFactor(), p.windows(),
                        p.latencyFactors() == null ? Map.of() : p.latencyFactors()));
            }
            return new LearnedMix(doc.members(), points);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw malformed(name, e.getMessage());
        }
    }

    private static MalformedFileException malformed(String name, String why) {
        return new MalformedFileException("malformed mix " + name + ": " + why);
    }
}
