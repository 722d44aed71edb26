package io.joulegov.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection to the daemon's control socket: sends a request line, waits (at most the timeout) for its reply
 * line. Not thread-safe; {@link LatencyReporter} owns one from its own thread.
 */
public final class ControlClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;
    private final ByteBuffer in = ByteBuffer.allocate(4096);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    private ControlClient(SocketChannel channel, Duration timeout) throws IOException {
        this.channel = channel;
        this.timeoutMillis = timeout.toMillis();
        channel.configureBlocking(false);
        selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
    }

    public static ControlClient connect(Path socket, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new ControlClient(channel, timeout);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Sends one request and returns the reply; a reply with {@code "ok":false} throws {@link RefusedException}. */
    public JsonNode exchange(String request) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (System.nanoTime() >= deadline) {
                    throw new IOException("the daemon takes no more input");
                }
                LockSupport.parkNanos(1_000_000); // the socket's buffer is full: rare, frames are at most 32 KiB
            }
        }
        JsonNode reply = JSON.readTree(readLine(deadline));
        if (!reply.path("ok").asBoolean()) {
            throw new RefusedException(reply.path("error").asText("refused"));
        }
        return reply;
    }

    private String readLine(long deadline) throws IOException {
        while (true) {
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    line.write(in.array(), 0, i);
                    in.flip().position(i + 1);
                    in.compact();
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    return text;
                }
            }
            line.write(in.array(), 0, in.position());
            in.clear();
            if (channel.read(in) < 0) {
                throw new IOException("the daemon closed the connection");
            }
            if (in.position() == 0) {
                waitOrTimeOut(deadline);
            }
        }
    }

    private void waitOrTimeOut(long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0 || selector.select(left) == 0 && System.nanoTime() >= deadline) {
            throw new IOException("no reply from the daemon within " + timeoutMillis + " ms");
        }
        selector.selectedKeys().clear();
    }

    @Override
    public void close() {
        try {
            selector.close();
            channel.close();
        } catch (IOException ignored) {
            // closing a broken connection
        }
    }

    /** The daemon answered, with an error. */
    public static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        public RefusedException(String message) {
            super(message);
        }
    }
}
