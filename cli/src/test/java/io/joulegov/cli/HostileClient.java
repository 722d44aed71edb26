package io.joulegov.cli;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A control client that never reads (run in a process of its own by {@link HostileClientTest}): it pipelines
 * 10,000 status requests on a connection and, once cut off or once it has sent them all, connects again, until its
 * time is up. It prints what it did as one line: {@code hostile: N connections, C cut off, S sent all, B bytes}.
 */
public final class HostileClient {

    static final int REQUESTS = 10_000;

    private HostileClient() {
    }

    /** {@code HostileClient SOCKET SECONDS} */
    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        long deadline = System.nanoTime() + (long) (Double.parseDouble(args[1]) * 1e9);
        byte[] flood = "{\"op\":\"status\"}\n".repeat(REQUESTS).getBytes(StandardCharsets.UTF_8);
        long connections = 0;
        long cutOff = 0;
        long sentAll = 0;
        long bytes = 0;
        System.out.println("hostile: flooding " + socket);
        while (System.nanoTime() < deadline) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                connections++;
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_WRITE);
                ByteBuffer out = ByteBuffer.wrap(flood);
                while (out.hasRemaining() && System.nanoTime() < deadline) {
                    bytes += channel.write(out);
                    if (out.hasRemaining()) {
                        selector.select(50); // the daemon stopped reading it: wait, never read
                        selector.selectedKeys().clear();
                    }
                }
                if (!out.hasRemaining()) {
                    sentAll++; // all 10,000 taken by the socket: start over on a new connection
                }
            } catch (IOException e) {
                cutOff++; // cut off by the daemon (or refused)
            }
        }
        System.out.printf("hostile: %d connections, %d cut off, %d sent all, %d bytes%n", connections, cutOff, sentAll, bytes);
    }
}
