package io.joulegov.profiler.store;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.RefusedException;
import io.joulegov.device.sysfs.AtomicFiles;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The models-cache: profiles as {@code <cache>/<board>/<model>-b<batch>-<hash8>.json}, written atomically.
 * Where it is: {@code --cache DIR}, else {@code $JOULEGOV_CACHE}, else {@code ROOT/var/lib/joulegov/models-cache}
 * for a command given {@code --root}, else {@code ./models-cache}.
 */
public final class ProfileStore {

    /** Larger files are refused before they are read: a profile of 375 x 4 points is about 0.5 MB. */
    public static final long MAX_BYTES = 64L << 20;
    public static final String SERVICE_CACHE = "var/lib/joulegov/models-cache";

    private final Path dir;

    public ProfileStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The cache a command uses (see the class comment); {@code root} is the board root given with --root, or null. */
    public static ProfileStore locate(Path cacheOption, Path root) {
        if (cacheOption != null) {
            return new ProfileStore(cacheOption);
        }
        String env = System.getenv("JOULEGOV_CACHE");
        if (env != null && !env.isBlank()) {
            return new ProfileStore(Path.of(env));
        }
        if (root != null) {
            return new ProfileStore(root.resolve(SERVICE_CACHE));
        }
        return new ProfileStore(Path.of("models-cache"));
    }

    /**
     * Where a profile with this key lives in the cache; a model registered without a hash (a profile the governor
     * learned) is {@code <model>-b<batch>-unhashed.json}.
     */
    public Path pathFor(ProfileKey key) {
        String digest = key.modelHash().replaceFirst("^sha256:", "");
        String hash = digest.isEmpty() ? "unhashed" : digest.matches("[0-9a-f]{8,}") ? digest : sha256(key.modelHash());
        return dir.resolve(safe(key.board())).resolve(safe(key.model()) + "-b" + key.batch() + "-" + hash.substring(0, 8) + ".json");
    }

    /** A profile found in the cache, and its file. */
    public record Found(Path file, ProfileTable table) {
    }

    /**
     * The newest profile (by the time it was written) of {@code model} at {@code batch} made on a board of kind
     * {@code boardKind}, for weights whose hash starts with {@code hash} (any weights when it is empty); empty when
     * the cache holds none. A malformed candidate, or one made on another kind of board, is an error, not skipped:
     * the user should hear of it.
     */
    public Optional<Found> find(String boardKind, String model, int batch, String hash) {
        String digest = hash == null ? "" : hash.replaceFirst("^sha256:", "").toLowerCase(Locale.ROOT);
        String prefix = safe(model) + "-b" + batch + "-" + digest.substring(0, Math.min(8, digest.length()));
        Path boardDir = dir.resolve(safe(boardKind));
        if (!Files.isDirectory(boardDir)) {
            return Optional.empty();
        }
        Found newest = null;
        Instant newestAt = null;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(boardDir, prefix + "*.json")) {
            for (Path f : files) {
                ProfileJson.Stored stored = readStored(f);
                ProfileKey key = stored.table().key();
                if (!key.model().equalsIgnoreCase(model) || key.batch() != batch
                        || !key.modelHash().replaceFirst("^sha256:", "").startsWith(digest)) {
                    continue; // another model whose name makes the same file name, or other weights
                }
                if (!key.board().equals(boardKind)) {
                    throw new RefusedException("profile " + f + " was made on a " + key.board() + ", not on this "
                            + boardKind);
                }
                Instant at = stored.writtenAt() != null ? stored.writtenAt() : Instant.EPOCH;
                if (newest == null || at.isAfter(newestAt)) {
                    newest = new Found(f, stored.table());
                    newestAt = at;
                }
            }
        } catch (IOException e) {
            throw new DeviceException("cannot list " + boardDir + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(newest);
    }

    /** Writes the profile to its place in the cache; returns the path. */
    public Path save(ProfileTable table) {
        Path target = pathFor(table.key());
        write(table, target);
        return target;
    }

    /** Writes a profile to any path, atomically. */
    public static void write(ProfileTable table, Path target) {
        AtomicFiles.write(target, ProfileJson.encode(table, Instant.now().toString()));
    }

    /** The profile, unless it is latency only: choosing an operating point by energy needs energy. */
    public static ProfileTable requireEnergy(ProfileTable table, Path file) {
        if (table.latencyOnly()) {
            throw new RefusedException("profile " + file + " has latency only (measured without power sensors): "
                    + "choosing by energy needs a profile made on a board with power rails");
        }
        return table;
    }

    /** Reads a profile with clear errors: missing, too large, malformed. */
    public static ProfileTable read(Path file) {
        return readStored(file).table();
    }

    private static ProfileJson.Stored readStored(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new MalformedFileException("profile " + file + " is " + (size >> 20) + " MB, more than any profile can be ("
                        + (MAX_BYTES >> 20) + " MB)");
            }
            return ProfileJson.decodeStored(Files.readAllBytes(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new MalformedFileException("no profile at " + file); // a path given on the command line: exit 2
        } catch (IOException e) {
            throw new DeviceException("cannot read profile " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a profile made on a board of kind {@code boardKind}: one from another kind of board is refused, since
     * its clocks and energies say nothing about this one.
     */
    public static ProfileTable readFor(Path file, String boardKind) {
        ProfileTable table = read(file);
        if (!table.key().board().equals(boardKind)) {
            throw new RefusedException("profile " + file + " was made on a " + table.key().board()
                    + ", not on this " + boardKind);
        }
        return table;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A file-name-safe form of a board or model name. */
    static String safe(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
