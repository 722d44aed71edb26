package io.joulegov.device.knobs;

import io.joulegov.device.DeviceException;
import io.joulegov.device.sysfs.SysRoot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes knobs, reads each one back, and keeps the mismatches; min/max pairs go in an order the kernel accepts. */
final class KnobWriter {

    private static final Logger LOG = LoggerFactory.getLogger(KnobWriter.class);

    private final SysRoot root;
    private final List<Mismatch> mismatches = new ArrayList<>();
    private final Consumer<Path> afterWrite;

    KnobWriter(SysRoot root) {
        this(root, p -> { });
    }

    /** With a hook run after each write: tests check there that min <= max held at every step. */
    KnobWriter(SysRoot root, Consumer<Path> afterWrite) {
        this.root = root;
        this.afterWrite = afterWrite;
    }

    List<Mismatch> mismatches() {
        return List.copyOf(mismatches);
    }

    /** Writes {@code value} unless the file already holds it; returns what the file reads back. */
    String write(Path file, String value) {
        String current = root.read(file).orElse(null);
        if (Objects.equals(current, value)) {
            return current;
        }
        root.write(file, value);
        afterWrite.accept(file);
        String back = root.readRequired(file);
        if (!back.equals(value)) {
            Mismatch m = new Mismatch(root.relative(file), value, back);
            mismatches.add(m);
            LOG.warn("read-back mismatch: {}", m);
        }
        return back;
    }

    /**
     * Sets a min/max pair so that min <= max after every single write (kernel 4.9 rejects anything else): when
     * the new min is above the current max, max goes first; otherwise min goes first. If the current max cannot be
     * read (a kill mid-write leaves a fake tree's file empty) or the kernel refuses the first order, the other order
     * is tried once.
     */
    void writeLimits(Path minFile, Path maxFile, long newMin, long newMax) {
        Long currentMax = root.read(maxFile).filter(v -> v.matches("\\d+")).map(Long::valueOf).orElse(null);
        boolean maxFirst = currentMax == null || newMin > currentMax;
        try {
            writePair(minFile, maxFile, newMin, newMax, maxFirst);
        } catch (DeviceException refused) {
            LOG.debug("limits refused in one order, trying the other: {}", refused.getMessage());
            writePair(minFile, maxFile, newMin, newMax, !maxFirst);
        }
    }

    private void writePair(Path minFile, Path maxFile, long newMin, long newMax, boolean maxFirst) {
        if (maxFirst) {
            write(maxFile, Long.toString(newMax));
            write(minFile, Long.toString(newMin));
        } else {
            write(minFile, Long.toString(newMin));
            write(maxFile, Long.toString(newMax));
        }
    }
}
