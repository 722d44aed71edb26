package io.joulegov.governor.socket;

import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.device.DeviceException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: a Unix domain socket (mode 0660, so members of the socket's group need no root)
 * served by one thread with a selector, so that a thousand clients cost no thousand threads. A malformed, binary,
 * oversized or too slowly sent request gets an error reply and a closed connection; it never reaches the handler
 * and never disturbs other clients.
 */
public final class ControlServer implements AutoCloseable {

    /** Answers one request with one reply line (JSON, no newline). */
    @FunctionalInterface
    public interface Handler {
        String handle(ControlRequest request, Peer peer);

        /** The connection of {@code peer} is closed: what was kept per connection can go. */
        default void disconnected(Peer peer) {
        }
    }

    /**
     * Who is on the other end (SO_PEERCRED: user and group; Java does not give the pid), and which connection it is
     * (numbered from 1 in the order they came).
     */
    public record Peer(String user, String group, long connection) {
    }

    /** Most clients at once; more are refused with an error reply. */
    public static final int MAX_CLIENTS = 2048;

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path path;
    private final Handler handler;
    private final long slowNanos;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean running = true;
    private long connections;

    private static final class Client {
        final Peer peer;
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        long partialSince;

        Client(Peer peer) {
            this.peer = peer;
        }
    }

    private ControlServer(Path path, Handler handler, Duration slow, String group) throws IOException {
        this.path = path;
        this.handler = handler;
        this.slowNanos = slow.toNanos();
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(path + " exists and is not a socket");
            }
            Files.delete(path); // a socket left by a daemon that died
        }
        Files.createDirectories(path.toAbsolutePath().getParent());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        if (group != null) {
            setGroup(path, group);
        }
        server.configureBlocking(false);
        selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
        thread = new Thread(this::loop, "joulegov-control");
        thread.setDaemon(true);
    }

    /** Binds the socket at {@code path} and serves it; a request line slower than {@code slow} is cut off. */
    public static ControlServer start(Path path, Handler handler, Duration slow) throws IOException {
        return start(path, handler, slow, null);
    }

    /** As {@link #start(Path, Handler, Duration)}, the socket owned by {@code group} (null: the process's group). */
    public static ControlServer start(Path path, Handler handler, Duration slow, String group) throws IOException {
        ControlServer s;
        try {
            s = new ControlServer(path, handler, slow, group);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw e;
        }
        s.thread.start();
        return s;
    }

    private static void setGroup(Path path, String group) throws IOException {
        GroupPrincipal principal;
        try {
            principal = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new DeviceException("there is no group '" + group + "' for the control socket (create it: groupadd " + group + ")");
        }
        Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(principal);
    }

    public Path path() {
        return path;
    }

    private void loop() {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (running) {
            try {
                selector.select(200);
                for (SelectionKey key : new ArrayList<>(selector.selectedKeys())) {
                    selector.selectedKeys().remove(key);
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.isReadable()) {
                        read(key, buffer);
                    }
                }
                cutOffSlowClients();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.warn("control socket: {}", e.toString());
                }
            }
        }
    }

    private void accept() throws IOException {
        SocketChannel channel = server.accept();
        if (channel == null) {
            return;
        }
        if (selector.keys().size() > MAX_CLIENTS) {
            reply(channel, ControlProtocol.error("too many clients"));
            channel.close();
            return;
        }
        channel.configureBlocking(false);
        Peer peer = peerOf(channel, ++connections);
        LOG.debug("control client connected: user {}, group {}", peer.user(), peer.group());
        channel.register(selector, SelectionKey.OP_READ, new Client(peer));
    }

    private void read(SelectionKey key, ByteBuffer buffer) {
        SocketChannel channel = (SocketChannel) key.channel();
        Client client = (Client) key.attachment();
        try {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                close(key);
                return;
            }
            byte[] bytes = buffer.array();
            for (int i = 0; i < n; i++) {
                if (bytes[i] == '\n') {
                    byte[] line = client.line.toByteArray();
                    client.line.reset();
                    client.partialSince = 0;
                    if (!answer(channel, client, line)) {
                        drainAndClose(key);
                        return;
                    }
                } else {
                    if (client.line.size() == 0) {
                        client.partialSince = System.nanoTime();
                    }
                    client.line.write(bytes[i]);
                    if (client.line.size() >= ControlProtocol.MAX_FRAME) {
                        reply(channel, ControlProtocol.error("request longer than " + ControlProtocol.MAX_FRAME + " bytes"));
                        drainAndClose(key);
                        return;
                    }
                }
            }
        } catch (IOException e) {
            close(key);
        }
    }

    /** Handles one line; false when the connection must be closed. */
    private boolean answer(SocketChannel channel, Client client, byte[] line) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException e) {
            reply(channel, ControlProtocol.error("not UTF-8 text"));
            return false;
        }
        ControlRequest request;
        try {
            request = ControlProtocol.parse(text);
        } catch (IllegalArgumentException e) {
            LOG.info("control client (user {}): malformed request: {}", client.peer.user(), e.getMessage());
            reply(channel, ControlProtocol.error(e.getMessage()));
            return false;
        }
        String answer;
        try {
            answer = handler.handle(request, client.peer);
        } catch (RuntimeException e) {
            answer = ControlProtocol.error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return reply(channel, answer);
    }

    /** Writes a reply line; a client that does not take it within a second is dropped. */
    private static boolean reply(SocketChannel channel, String json) throws IOException {
        ByteBuffer out = ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.onSpinWait();
            }
        }
        return true;
    }

    private void cutOffSlowClients() {
        long now = System.nanoTime();
        List<SelectionKey> slow = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Client c && c.partialSince != 0 && now - c.partialSince > slowNanos) {
                slow.add(key);
            }
        }
        for (SelectionKey key : slow) {
            try {
                reply((SocketChannel) key.channel(), ControlProtocol.error("request not finished in time"));
            } catch (IOException ignored) {
                // closing anyway
            }
            close(key);
        }
    }

    private static Peer peerOf(SocketChannel channel, long connection) {
        try {
            UnixDomainPrincipal p = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return new Peer(p.user().getName(), p.group().getName(), connection);
        } catch (IOException | UnsupportedOperationException e) {
            return new Peer("?", "?", connection);
        }
    }

    /**
     * Reads what the client already sent before closing: a Unix socket closed with unread data resets the peer,
     * which would then lose the error reply.
     */
    private void drainAndClose(SelectionKey key) {
        ByteBuffer sink = ByteBuffer.allocate(8192);
        try {
            for (int i = 0; i < 128 && ((SocketChannel) key.channel()).read(sink.clear()) > 0; i++) {
                // discard
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        close(key);
    }

    private void close(SelectionKey key) {
        if (key.attachment() instanceof Client c) {
            handler.disconnected(c.peer);
        }
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // nothing more to do for this client
        }
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("closing the control socket: {}", e.toString());
        }
    }
}
