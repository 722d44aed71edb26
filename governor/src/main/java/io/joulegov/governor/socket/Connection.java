package io.joulegov.governor.socket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client of the {@link ControlServer}: the request line it is sending, its replies in request order, and the
 * bytes of those not yet written. Only the selector thread touches it, but for {@link Slot#reply} and
 * {@link #queued}, which a handler completing from another thread sets.
 */
final class Connection {

    /**
     * Most reply bytes kept for a client that does not read them; past this it is cut off. Replies are small (a status
     * names at most a few models) and a client has at most {@link ControlServer#MAX_IN_FLIGHT} of them outstanding,
     * so a client that reads never comes near; the bound only keeps a reply the socket cannot take from growing
     * without end, and is allocated only as replies wait (idle clients hold none).
     */
    static final int MAX_OUTPUT = 256 * 1024;

    /** One request's reply: null until the handler completes it; {@code last} closes the connection once written. */
    static final class Slot {
        volatile String reply;
        final boolean last;

        Slot(String reply, boolean last) {
            this.reply = reply;
            this.last = last;
        }
    }

    final ControlServer.Peer peer;
    final SelectionKey key;
    final ByteArrayOutputStream line = new ByteArrayOutputStream();
    /** When the partial request line began (System.nanoTime()), 0 when there is none. */
    long partialSince;
    /** Read but not yet parsed: held while the client has too many requests in flight. */
    byte[] unparsed;
    /** No more requests are read: an error reply or the end of input is queued. */
    boolean closing;
    /** When the last reply went into the output (the connection closes once it is written), 0 before. */
    long lastQueuedAt;
    boolean closed;
    /** Some reply bytes were written (until then each reply is written as soon as it is ready). */
    boolean wroteAny;
    /** In the server's list of held clients to answer on in the next round. */
    boolean resuming;
    /** In the server's queue of connections with completed replies (set by completing threads). */
    final AtomicBoolean queued = new AtomicBoolean();

    private final ArrayDeque<Slot> pending = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private long outBytes;

    Connection(ControlServer.Peer peer, SelectionKey key) {
        this.peer = peer;
        this.key = key;
    }

    SocketChannel channel() {
        return (SocketChannel) key.channel();
    }

    /** A slot for the next request's reply, in request order. */
    Slot expect() {
        Slot s = new Slot(null, false);
        pending.add(s);
        return s;
    }

    /** Queues a last reply (empty: none, at the end of input) and stops reading: the connection closes after it. */
    void finish(String reply) {
        line.reset();
        partialSince = 0;
        closing = true;
        pending.add(new Slot(reply, true));
    }

    /** Requests handled whose replies are not yet written. */
    int inFlight() {
        return pending.size() + out.size();
    }

    boolean hasOutput() {
        return !out.isEmpty();
    }

    long unwritten() {
        return outBytes;
    }

    /** Moves completed replies at the head of the queue into the output; false when they would overflow it. */
    boolean moveCompleted() {
        for (Slot head = pending.peek(); head != null && head.reply != null; head = pending.peek()) {
            if (!head.reply.isEmpty()) {
                byte[] bytes = (head.reply + "\n").getBytes(StandardCharsets.UTF_8);
                if (outBytes + bytes.length > MAX_OUTPUT) {
                    return false;
                }
                out.add(ByteBuffer.wrap(bytes));
                outBytes += bytes.length;
            }
            pending.poll();
            if (head.last) {
                lastQueuedAt = System.nanoTime() | 1; // never 0
            }
        }
        return true;
    }

    /** Writes what the socket takes now, in one gathering write; never waits. */
    void write() throws IOException {
        if (out.isEmpty()) {
            return;
        }
        long n = channel().write(out.toArray(new ByteBuffer[0]));
        outBytes -= n;
        wroteAny |= n > 0;
        while (!out.isEmpty() && !out.peek().hasRemaining()) {
            out.poll();
        }
    }

    /** Reads only while below {@code maxInFlight} and not closing; waits to write only with something to write. */
    void updateInterest(int maxInFlight) {
        boolean reading = !closing && unparsed == null && inFlight() < maxInFlight;
        int ops = (reading ? SelectionKey.OP_READ : 0) | (out.isEmpty() ? 0 : SelectionKey.OP_WRITE);
        if (key.isValid() && key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    boolean reading() {
        return key.isValid() && (key.interestOps() & SelectionKey.OP_READ) != 0;
    }
}
