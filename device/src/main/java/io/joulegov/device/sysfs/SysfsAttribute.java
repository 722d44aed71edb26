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
    private final ByteBuffer buffer = ByteBuffer.allocate(128);
    private FileChannel channel;

    public SysfsAttribute(Path resolvedPath) {
        this.path = resolvedPath;
    }

    public Path path() {
        return path;
    }

    /** The attribute's text, trimmed; throws when the file cannot be read or is empty. */
    public String read() throws IOException {
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
            String text = new String(buffer.array(), 0, total, StandardCharsets.US_ASCII).trim();
            if (text.isEmpty()) {
                throw new IOException("empty");
            }
            return text;
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The attribute as a number; garbage is an {@link IOException} like any other failed read. */
    public double readNumber() throws IOException {
        String text = read();
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
