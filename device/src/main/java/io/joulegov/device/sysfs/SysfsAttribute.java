package io.joulegov.device.sysfs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One attribute read over and over, as a sampler does: the file stays open and each read is a pread at offset 0
 * (sysfs regenerates the content on every such read), about eight times cheaper than open-read-close. A failed
 * read closes the channel so the next read reopens it: a sensor that vanishes and comes back is picked up again.
 */
public final class SysfsAttribute implements Closeable {

    private final Path path;
    // direct, so that a pread needs no copy through a temporary native buffer
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(128);
    private FileChannel channel;

    public SysfsAttribute(Path resolvedPath) {
        this.path = resolvedPath;
    }

    public Path path() {
        return path;
    }

    /** The attribute's text, trimmed; throws when the file cannot be read or is empty. */
    public String read() throws IOException {
        return text(fill());
    }

    private String text(int total) throws IOException {
        byte[] bytes = new byte[total];
        buffer.get(0, bytes);
        String text = new String(bytes, StandardCharsets.US_ASCII).trim();
        if (text.isEmpty()) {
            throw new IOException("empty");
        }
        return text;
    }

    /** Reads the file into the buffer from offset 0; returns the byte count. */
    private int fill() throws IOException {
        try {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            }
            buffer.clear();
            int total = 0;
            int n;
            while (buffer.hasRemaining() && (n = channel.read(buffer, total)) > 0) {
                total += n;
            }
            return total;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /**
     * The attribute as a number; garbage is an {@link IOException} like any other failed read. A whole number (what
     * power, voltage, current and energy files hold) is parsed from the bytes directly: this runs on every sample,
     * mostly in the interpreter, as a 10 ms sampler's code is rarely hot enough to be compiled.
     */
    public double readNumber() throws IOException {
        int total = fill();
        int i = 0;
        while (i < total && isSpace(buffer.get(i))) {
            i++;
        }
        boolean negative = i < total && buffer.get(i) == '-';
        int start = negative ? i + 1 : i;
        long value = 0;
        int j = start;
        while (j < total && j - start < 18 && buffer.get(j) >= '0' && buffer.get(j) <= '9') {
            value = value * 10 + (buffer.get(j) - '0');
            j++;
        }
        if (j > start && (j == total || isSpace(buffer.get(j)))) {
            return negative ? -value : value;
        }
        return parseText(text(total));
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == 0;
    }

    private static double parseText(String text) throws IOException {
        int space = text.indexOf(' ');
        String token = space < 0 ? text : text.substring(0, space);
        double value;
        try {
            value = Double.parseDouble(token);
        } catch (NumberFormatException e) {
            throw new IOException("not a number: '" + SysRoot.abbreviate(text) + "'");
        }
        if (!Double.isFinite(value)) {
            throw new IOException("not a finite number: '" + SysRoot.abbreviate(text) + "'");
        }
        return value;
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to release beyond the descriptor
            }
            channel = null;
        }
    }
}
