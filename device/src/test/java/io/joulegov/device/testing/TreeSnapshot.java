package io.joulegov.device.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Every file (content) and symlink (target) below a directory, without following links: "is the board as it was?" */
public final class TreeSnapshot {

    private TreeSnapshot() {
    }

    public static Map<String, String> of(Path dir) {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.forEach(p -> {
                try {
                    String rel = dir.relativize(p).toString();
                    if (Files.isSymbolicLink(p)) {
                        out.put(rel, "-> " + Files.readSymbolicLink(p));
                    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        out.put(rel, new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1)); // any bytes
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The snapshot without {@code scaling_setspeed}: the kernel regenerates it ("&lt;unsupported&gt;" outside the
     * userspace governor), a plain file keeps the last pin.
     */
    public static Map<String, String> withoutSetspeed(Path dir) {
        Map<String, String> out = of(dir);
        out.keySet().removeIf(k -> k.endsWith("scaling_setspeed"));
        return out;
    }
}
