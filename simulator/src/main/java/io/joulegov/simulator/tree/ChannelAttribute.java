package io.joulegov.simulator.tree;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A file read with pread and written with pwrite + truncate, kept open. */
final class ChannelAttribute implements Attribute {

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(4096);

    ChannelAttribute(Path file) {
        this.file = file;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file, e);
        }
    }

    @Override
    public String read() {
        try {
            buffer.clear();
            int total = 0;
            int n;
            while (buffer.hasRemaining() && (n = channel.read(buffer, total)) > 0) {
                total += n;
            }
            String text = new String(buffer.array(), 0, total, StandardCharsets.US_ASCII);
            int nl = text.indexOf('\n');
            return (nl < 0 ? text : text.substring(0, nl)).trim();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void write(String value) {
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            channel.write(ByteBuffer.wrap(bytes), 0);
            channel.truncate(bytes.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
