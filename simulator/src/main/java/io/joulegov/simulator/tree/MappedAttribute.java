package io.joulegov.simulator.tree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file mapped one page wide. The file keeps its real length (the mapping is made, then the file is cut back), so
 * ordinary readers see ordinary content; past the end of a file the page reads as zeros, so a read stops at the
 * first newline or zero. A write that changes the length also sets the file's size: grow first, shrink after, so
 * that no reader sees bytes beyond the end. Files must hold one line (as sysfs attributes do).
 */
final class MappedAttribute implements Attribute {

    private static final int PAGE = 4096;
    private static final byte[] NEWLINE = {'\n'};

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer page;
    private final byte[] scratch = new byte[PAGE];

    MappedAttribute(Path file) {
        this.file = file;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long length = channel.size();
            page = channel.map(FileChannel.MapMode.READ_WRITE, 0, PAGE);
            channel.truncate(length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + file, e);
        }
    }

    @Override
    public String read() {
        int n = 0;
        while (n < PAGE) {
            byte b = page.get(n);
            if (b == '\n' || b == 0) {
                break;
            }
            scratch[n++] = b;
        }
        return new String(scratch, 0, n, StandardCharsets.US_ASCII).trim();
    }

    @Override
    public long readNumber(long fallback) {
        int i = 0;
        while (i < PAGE && page.get(i) == ' ') {
            i++;
        }
        boolean negative = i < PAGE && page.get(i) == '-';
        int start = negative ? i + 1 : i;
        long value = 0;
        int j = start;
        for (; j < PAGE && j - start < 18; j++) {
            byte b = page.get(j);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
        }
        byte end = j < PAGE ? page.get(j) : 0;
        if (j == start || (end != '\n' && end != 0 && end != ' ')) {
            return fallback;
        }
        return negative ? -value : value;
    }

    @Override
    public boolean holds(String text) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            if (page.get(i) != text.charAt(i)) {
                return false;
            }
        }
        byte end = n < PAGE ? page.get(n) : 0;
        return end == '\n' || end == 0;
    }

    @Override
    public void write(long value) {
        int n = 0;
        long v = Math.abs(value);
        do {
            scratch[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        if (value < 0) {
            scratch[n++] = '-';
        }
        for (int i = 0; i < n / 2; i++) {
            byte t = scratch[i];
            scratch[i] = scratch[n - 1 - i];
            scratch[n - 1 - i] = t;
        }
        writeBytes(n);
    }

    @Override
    public void write(String value) {
        int n = value.length();
        for (int i = 0; i < n; i++) {
            scratch[i] = (byte) value.charAt(i);
        }
        writeBytes(n);
    }

    /**
     * The file's length as the page shows it: up to the first newline, or the first zero (past the end). Others
     * write these files too, so a length remembered from the last write of our own could be stale.
     */
    private int currentLength() {
        for (int i = 0; i < PAGE; i++) {
            byte b = page.get(i);
            if (b == '\n') {
                return i + 1;
            }
            if (b == 0) {
                return i;
            }
        }
        return PAGE;
    }

    /** Writes the first {@code n} bytes of the scratch buffer and a newline. */
    private void writeBytes(int n) {
        int length = currentLength();
        if (n + 1 == length && page.get(n) == '\n') {
            boolean same = true;
            for (int i = 0; i < n && same; i++) {
                same = page.get(i) == scratch[i];
            }
            if (same) {
                return;
            }
        }
        try {
            if (n + 1 > length) {
                channel.write(ByteBuffer.wrap(NEWLINE), n); // grows the file to its new length
            }
            for (int i = 0; i < n; i++) {
                page.put(i, scratch[i]);
            }
            page.put(n, (byte) '\n');
            if (n + 1 < length) {
                channel.truncate(n + 1);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the mapping goes with the garbage collector
        }
    }
}
