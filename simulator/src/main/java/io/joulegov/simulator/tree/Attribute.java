package io.joulegov.simulator.tree;

import java.io.Closeable;
import java.nio.file.Path;

/**
 * One sysfs file as the virtual board sees it: it reads the knobs that joulegov (or anyone) writes and writes the
 * read-outs (rails, temperatures, current clocks). Written in place, never replaced, as sysfs files are, so that
 * readers holding the file open see every update.
 */
public interface Attribute extends Closeable {

    /** The first line of the file, trimmed; empty if the file is empty. */
    String read();

    /** Replaces the content with {@code value} and a newline. */
    void write(String value);

    /** The content as a whole number, or {@code fallback} when it is not one. */
    default long readNumber(long fallback) {
        try {
            return Long.parseLong(read());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Whether the content is {@code text}. */
    default boolean holds(String text) {
        return read().equals(text);
    }

    /** Replaces the content with the decimal digits of {@code value} and a newline. */
    default void write(long value) {
        write(Long.toString(value));
    }

    @Override
    void close();

    /**
     * Memory-mapped: reads and writes cost no system call, for boards on the virtual clock, where every writer is a
     * party of the clock and nobody writes while the board reads.
     */
    static Attribute mapped(Path file) {
        return new MappedAttribute(file);
    }

    /** Through a file channel: safe while other processes write (a live board served to a daemon). */
    static Attribute channel(Path file) {
        return new ChannelAttribute(file);
    }
}
