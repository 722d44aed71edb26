package io.joulegov.governor.socket;

import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.device.DeviceException;
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
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's control socket: a Unix domain socket (mode 0660, so members of the socket's group need no root)
 * served by one thread with a selector, so that a thousand clients cost no thousand threads. A malformed, binary,
 * oversized or too slowly sent request gets an error reply and a closed connection; it never reaches the handler
 * and never disturbs other clients. The thread never waits for a client: replies (which the handler may complete
 * later, from any thread) go out in request order as the socket takes them; a client that does not read them is
 * first not read from ({@link #MAX_IN_FLIGHT}), then cut off ({@link Connection#MAX_OUTPUT}); one that pipelines
 * or reconnects in a loop gets its turn and no more ({@link #MAX_IN_FLIGHT} requests a round, connections at
 * {@link #ACCEPTS_PER_SECOND}).
 */
public final class ControlServer implements AutoCloseable {

    /** Answers requests; called on the server's thread, so it must not block (a reply can complete later). */
    @FunctionalInterface
    public interface Handler {
        /** Answers one request; the reply line (JSON, no newline) may come later, from another thread. */
        CompletionStage<String> handle(ControlRequest request, Peer peer);

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

    /**
     * Most requests of one client handled but whose replies are not yet written; past it the client is not read
     * from until they drain, so that one connection cannot queue unbounded work (a pipelining client keeps its pace).
     */
    public static final int MAX_IN_FLIGHT = 64;

    /**
     * New connections accepted per second, in bursts of up to {@link #MAX_CLIENTS}: a client reconnecting in a loop
     * cannot keep this thread busy accepting and closing (past the rate, connections wait in the listen backlog).
     * Applications connect once; a thousand a second is far beyond what they and the command line need.
     */
    static final int ACCEPTS_PER_SECOND = 1000;
    /** How long accepting pauses once past the rate. */
    private static final long ACCEPT_PAUSE_MILLIS = 10;

    /** How often at most partial lines are checked for slowness (all clients are walked then). */
    private static final long SWEEP_NANOS = 50_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    private final Path path;
    private final Handler handler;
    private final long slowNanos;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean running = true;
    private long connections;
    private long lastSweep;
    private final SelectionKey acceptKey;
    private double acceptTokens = MAX_CLIENTS;
    private long lastRefill = System.nanoTime();
    private boolean acceptsPaused;
    /** Connections whose handler completed a reply, for the selector thread to write. */
    private final Queue<Connection> completed = new ConcurrentLinkedQueue<>();
    /** Clients with requests held (read, not yet answered) that may be answered in the next round; this thread's. */
    private final List<Connection> resume = new ArrayList<>();

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
        acceptKey = server.register(selector, SelectionKey.OP_ACCEPT);
        lastSweep = System.nanoTime();
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
                resumeHeld();
                if (resume.isEmpty()) {
                    selector.select(acceptsPaused ? ACCEPT_PAUSE_MILLIS : 200);
                } else {
                    selector.selectNow(); // held requests to answer: look only at what is ready now
                }
                for (SelectionKey key : new ArrayList<>(selector.selectedKeys())) {
                    selector.selectedKeys().remove(key);
                    if (!key.isValid()) {
                        continue;
                    }
                    if (key.isAcceptable()) {
                        accept();
                    } else if (key.attachment() instanceof Connection c) {
                        ready(key, c, buffer);
                    }
                }
                serveCompleted();
                cutOffSlowClients();
                resumeAccepting();
            } catch (IOException | RuntimeException e) {
                if (running) {
                    LOG.warn("control socket: {}", e.toString());
                }
            }
        }
    }

    private void ready(SelectionKey key, Connection c, ByteBuffer buffer) {
        safely(c, () -> {
            if (key.isWritable()) {
                service(c);
            }
            if (!c.closed && key.isValid() && key.isReadable()) {
                read(c, buffer);
            }
        });
    }

    /** Runs one client's step; a failure in it (a handler that throws) closes that client only. */
    private void safely(Connection c, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("control client (user {}, connection {}): {}", c.peer.user(), c.peer.connection(), e.toString());
            try {
                close(c);
            } catch (RuntimeException again) {
                LOG.warn("control client (connection {}): {}", c.peer.connection(), again.toString());
            }
        }
    }

    /** Takes a token for one connection; out of tokens, stops accepting for a while (clients wait in the backlog). */
    private boolean mayAccept() {
        long now = System.nanoTime();
        acceptTokens = Math.min(MAX_CLIENTS, acceptTokens + (now - lastRefill) * ACCEPTS_PER_SECOND / 1e9);
        lastRefill = now;
        if (acceptTokens < 1) {
            acceptKey.interestOps(0);
            acceptsPaused = true;
            return false;
        }
        acceptTokens--;
        return true;
    }

    private void resumeAccepting() {
        if (acceptsPaused && acceptTokens + (System.nanoTime() - lastRefill) * ACCEPTS_PER_SECOND / 1e9 >= 1) {
            acceptsPaused = false;
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void accept() throws IOException {
        if (!mayAccept()) {
            return;
        }
        SocketChannel channel = server.accept();
        if (channel == null) {
            return;
        }
        channel.configureBlocking(false);
        if (selector.keys().size() > MAX_CLIENTS) {
            try (channel) {
                // one try: a fresh socket takes a short line at once, and a refused client is not waited for
                channel.write(ByteBuffer.wrap((ControlProtocol.error("too many clients") + "\n").getBytes(StandardCharsets.UTF_8)));
            }
            return;
        }
        Peer peer = peerOf(channel, ++connections);
        LOG.debug("control client connected: user {}, group {}", peer.user(), peer.group());
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        key.attach(new Connection(peer, key));
    }

    private void read(Connection c, ByteBuffer buffer) {
        if (c.closing || c.unparsed != null) {
            return; // ready before it was paused in this round: what it sent waits its turn
        }
        int n;
        try {
            n = c.channel().read(buffer.clear());
        } catch (IOException e) {
            close(c);
            return;
        }
        if (n < 0) {
            c.finish(""); // replies still owed go out first
        } else {
            consume(c, buffer.array(), 0, n);
        }
        service(c);
    }

    /** Splits bytes into request lines and answers them; stops (keeping the rest) once too many are in flight. */
    private void consume(Connection c, byte[] bytes, int from, int to) {
        int i = from;
        while (i < to && !c.closing && !c.closed) {
            if (c.inFlight() >= MAX_IN_FLIGHT) {
                c.unparsed = Arrays.copyOfRange(bytes, i, to);
                return;
            }
            int nl = i;
            while (nl < to && bytes[nl] != '\n') {
                nl++;
            }
            if (nl > i) {
                if (c.line.size() == 0) {
                    c.partialSince = System.nanoTime();
                }
                c.line.write(bytes, i, Math.min(nl - i, ControlProtocol.MAX_FRAME - c.line.size()));
                if (c.line.size() >= ControlProtocol.MAX_FRAME) {
                    c.finish(ControlProtocol.error("request longer than " + ControlProtocol.MAX_FRAME + " bytes"));
                    return;
                }
            }
            if (nl == to) {
                return;
            }
            byte[] line = c.line.toByteArray();
            c.line.reset();
            c.partialSince = 0;
            answer(c, line);
            if (!c.wroteAny) {
                service(c); // a client gone before its first reply (one that sends and closes) costs one request, not a batch
            }
            i = nl + 1;
        }
    }

    /** Hands one line to the handler, or queues the error reply that closes the connection. */
    private void answer(Connection c, byte[] line) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException e) {
            c.finish(ControlProtocol.error("not UTF-8 text"));
            return;
        }
        ControlRequest request;
        try {
            request = ControlProtocol.parse(text);
        } catch (IllegalArgumentException e) {
            LOG.info("control client (user {}): malformed request: {}", c.peer.user(), e.getMessage());
            c.finish(ControlProtocol.error(e.getMessage()));
            return;
        }
        Connection.Slot slot = c.expect();
        CompletionStage<String> reply;
        try {
            reply = handler.handle(request, c.peer);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        if (reply == null) {
            reply = CompletableFuture.failedFuture(new IllegalStateException("no reply"));
        }
        reply.whenComplete((json, failure) -> complete(c, slot, failure != null ? ControlProtocol.error(messageOf(failure))
                : json != null ? json : ControlProtocol.error("no reply")));
    }

    private static String messageOf(Throwable failure) {
        Throwable t = (failure instanceof CompletionException || failure instanceof ExecutionException)
                && failure.getCause() != null ? failure.getCause() : failure;
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Any thread: fills the slot and hands the connection to the selector thread, which alone writes. */
    private void complete(Connection c, Connection.Slot slot, String json) {
        slot.reply = json;
        if (c.queued.compareAndSet(false, true)) {
            completed.add(c);
            if (Thread.currentThread() != thread) {
                selector.wakeup();
            }
        }
    }

    private void serveCompleted() {
        for (Connection c = completed.poll(); c != null; c = completed.poll()) {
            c.queued.set(false);
            Connection done = c;
            safely(c, () -> service(done));
        }
    }

    /**
     * Moves completed replies out in request order and writes what the socket takes; closes after a last reply. Held
     * requests are read on in the next round, not now: one client gets at most {@link #MAX_IN_FLIGHT} requests
     * handled per round, so that a client pipelining thousands delays another by no more than that.
     */
    private void service(Connection c) {
        if (c.closed) {
            return;
        }
        if (!c.moveCompleted()) {
            LOG.warn("control client (user {}, connection {}) does not read its replies: cut off with {} bytes unread",
                    c.peer.user(), c.peer.connection(), c.unwritten());
            close(c);
            return;
        }
        try {
            c.write();
        } catch (IOException e) {
            close(c);
            return;
        }
        if (c.lastQueuedAt != 0 && !c.hasOutput()) {
            drainAndClose(c);
            return;
        }
        if (c.unparsed != null && !c.closing && c.inFlight() < MAX_IN_FLIGHT && !c.resuming) {
            c.resuming = true;
            resume.add(c);
        }
        c.updateInterest(MAX_IN_FLIGHT);
    }

    /** Answers on from what each held client already sent (those that had room at the end of the last round). */
    private void resumeHeld() {
        List<Connection> now = new ArrayList<>(resume);
        resume.clear();
        for (Connection c : now) {
            c.resuming = false;
            if (!c.closed && c.unparsed != null && !c.closing && c.inFlight() < MAX_IN_FLIGHT) {
                safely(c, () -> {
                    byte[] held = c.unparsed;
                    c.unparsed = null;
                    consume(c, held, 0, held.length);
                    service(c);
                });
            }
        }
    }

    /**
     * Cuts off a request line sent too slowly (only while the client is read from: one we stopped reading is not
     * sending), and a client that has not read its last reply in as long.
     */
    private void cutOffSlowClients() {
        long now = System.nanoTime();
        if (now - lastSweep < Math.min(slowNanos / 4, SWEEP_NANOS)) {
            return;
        }
        lastSweep = now;
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
            if (!(key.attachment() instanceof Connection c) || c.closed) {
                continue;
            }
            safely(c, () -> {
                if (c.lastQueuedAt != 0 && now - c.lastQueuedAt > slowNanos) {
                    close(c); // it has not read its last reply in as long
                } else if (c.partialSince != 0 && c.reading() && now - c.partialSince > slowNanos) {
                    c.finish(ControlProtocol.error("request not finished in time"));
                    service(c);
                }
            });
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
    private void drainAndClose(Connection c) {
        ByteBuffer sink = ByteBuffer.allocate(8192);
        try {
            for (int i = 0; i < 128 && c.channel().read(sink.clear()) > 0; i++) {
                // discard
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        close(c);
    }

    private void close(Connection c) {
        if (c.closed) {
            return;
        }
        c.closed = true;
        c.key.cancel();
        try {
            c.channel().close();
        } catch (IOException ignored) {
            // nothing more to do for this client
        }
        handler.disconnected(c.peer);
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
