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
 * that no reader sees bytes beyond the end.
 */
final class MappedAttribute implements Attribute {

    private static final int PAGE = 4096;
    private static final byte[] NEWLINE = {'\n'};

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer page;
    private final byte[] scratch = new byte[PAGE];
    private int length;

    MappedAttribute(Path file) {
        this.file = file;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            length = (int) channel.size();
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
    public void write(String value) {
        int n = value.length();
        try {
            if (n + 1 > length) {
                channel.write(ByteBuffer.wrap(NEWLINE), n); // grows the file to its new length
            }
            for (int i = 0; i < n; i++) {
                page.put(i, (byte) value.charAt(i));
            }
            page.put(n, (byte) '\n');
            if (n + 1 < length) {
                channel.truncate(n + 1);
            }
            length = n + 1;
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
