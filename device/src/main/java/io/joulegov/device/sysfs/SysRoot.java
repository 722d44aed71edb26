package io.joulegov.device.sysfs;

import io.joulegov.device.DeviceException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A filesystem root under which a board is found ({@code /} on the board itself, a directory for a virtual or a
 * test board). Symlinks are followed inside the root: relative ones as usual, absolute ones (such as
 * {@code /proc/device-tree}) re-rooted, and none may lead out of it.
 */
public final class SysRoot {

    private static final int MAX_LINKS = 40;

    private final Path root;

    private SysRoot(Path root) {
        this.root = root;
    }

    public static SysRoot of(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs)) {
            throw new DeviceException("root " + dir + " is not a directory");
        }
        try {
            return new SysRoot(abs.toRealPath());
        } catch (IOException e) {
            throw new DeviceException("cannot open root " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path root() {
        return root;
    }

    /** The path of {@code relative} under the root, without following links. */
    public Path path(String relative) {
        return root.resolve(stripLeadingSlash(relative));
    }

    /** Where {@code path} lives under the root, as a relative string (for journals and messages). */
    public String relative(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }

    /** {@code path} with every symlink resolved inside the root; the result need not exist. */
    public Path resolve(Path path) {
        Path rel = root.relativize(path.toAbsolutePath().normalize());
        Path current = root;
        List<String> pending = new ArrayList<>();
        for (Path part : rel) {
            pending.add(part.toString());
        }
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.remove(0);
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(name);
            if (Files.isSymbolicLink(next)) {
                if (++links > MAX_LINKS) {
                    throw new DeviceException("too many symlinks under " + relative(path));
                }
                Path target;
                try {
                    target = Files.readSymbolicLink(next);
                } catch (IOException e) {
                    throw new DeviceException("cannot read link " + relative(next) + ": " + e.getMessage(), e);
                }
                List<String> expanded = new ArrayList<>();
                for (Path part : target) {
                    expanded.add(part.toString());
                }
                pending.addAll(0, expanded);
                if (target.isAbsolute()) {
                    current = root;
                }
                continue;
            }
            current = next;
        }
        return current;
    }

    public Path resolve(String relative) {
        return resolve(path(relative));
    }

    /** The entries of a directory whose names match a glob, sorted by name; none if the directory is missing. */
    public List<Path> list(Path dir, String glob) {
        Path real = resolve(dir);
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(real)) {
            return out;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(real, glob)) {
            entries.forEach(out::add);
        } catch (IOException e) {
            throw new DeviceException("cannot list " + relative(dir) + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    public boolean exists(Path path) {
        return Files.exists(resolve(path), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The text of an attribute with NULs (device-tree strings) and surrounding white space removed, or empty when
     * the file is missing or unreadable.
     */
    public Optional<String> read(Path path) {
        try {
            return Optional.of(readText(path));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The text of an attribute that must be there. */
    public String readRequired(Path path) {
        try {
            return readText(path);
        } catch (NoSuchFileException e) {
            throw new DeviceException("missing " + relative(path));
        } catch (AccessDeniedException e) {
            throw new DeviceException("permission denied reading " + relative(path) + ": joulegov needs root");
        } catch (IOException e) {
            throw new DeviceException("cannot read " + relative(path) + ": " + reason(e), e);
        }
    }

    /** A whole number from an attribute that must be there. */
    public long readLong(Path path) {
        String text = readRequired(path);
        try {
            return Long.parseLong(firstToken(text));
        } catch (NumberFormatException e) {
            throw new DeviceException("unexpected content in " + relative(path) + ": '" + abbreviate(text) + "'");
        }
    }

    /**
     * Writes an attribute as {@code echo value > file} does: the file must exist (a knob is never created), and the
     * kernel's refusal is reported in words. The value is written first and the file cut to its length after (sysfs
     * ignores the cut): a process killed in between leaves the new value on the first line of a regular file (a
     * virtual board's), never the empty file that truncating first would.
     */
    public void write(Path path, String value) {
        Path real = resolve(path);
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel out = FileChannel.open(real, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(bytes), 0);
            try {
                out.truncate(bytes.length);
            } catch (IOException sizeFixedByTheKernel) {
                // an attribute has no length to cut
            }
        } catch (NoSuchFileException e) {
            throw new DeviceException("cannot write " + value + " to " + relative(path) + ": no such file");
        } catch (AccessDeniedException e) {
            throw new DeviceException("permission denied writing " + relative(path)
                    + ": changing clocks needs root (run as root, or through the joulegov service)");
        } catch (IOException e) {
            throw new DeviceException("the kernel refused " + value + " for " + relative(path) + ": " + reason(e), e);
        }
    }

    private String readText(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(resolve(path));
        return new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').trim();
    }

    static String reason(IOException e) {
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String firstToken(String text) {
        String trimmed = text.trim();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() > 40 ? oneLine.substring(0, 40) + "..." : oneLine;
    }

    private static String stripLeadingSlash(String relative) {
        String r = relative;
        while (r.startsWith("/")) {
            r = r.substring(1);
        }
        return r;
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
