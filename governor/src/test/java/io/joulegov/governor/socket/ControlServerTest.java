package io.joulegov.governor.socket;

import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlServerTest {

    @TempDir
    Path tmp;

    private ControlServer server;
    private final List<ControlRequest> seen = new CopyOnWriteArrayList<>();
    private final List<ControlServer.Peer> gone = new CopyOnWriteArrayList<>();
    /** How the server answers: at once unless a test says otherwise. */
    private volatile ControlServer.Handler answer = (request, peer) ->
            CompletableFuture.completedFuture("{\"ok\":true,\"user\":\"" + peer.user() + "\"}");

    @BeforeEach
    void start() throws IOException {
        server = ControlServer.start(tmp.resolve("run/joulegov.sock"), new ControlServer.Handler() {
            @Override
            public CompletionStage<String> handle(ControlRequest request, ControlServer.Peer peer) {
                seen.add(request);
                return answer.handle(request, peer);
            }

            @Override
            public void disconnected(ControlServer.Peer peer) {
                gone.add(peer);
            }
        }, Duration.ofMillis(300));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A client: lines out, lines in; {@link #read()} returns null when the server closed the connection. */
    final class Client implements AutoCloseable {
        final SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        final StringBuilder pending = new StringBuilder();

        Client() throws IOException {
            channel.connect(UnixDomainSocketAddress.of(server.path()));
        }

        void send(byte[] bytes) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        }

        void send(String line) throws IOException {
            send((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        String read() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (pending.indexOf("\n") < 0) {
                b.clear();
                int n = channel.read(b);
                if (n < 0) {
                    return null;
                }
                pending.append(new String(b.array(), 0, n, StandardCharsets.UTF_8));
            }
            int nl = pending.indexOf("\n");
            String line = pending.substring(0, nl);
            pending.delete(0, nl + 1);
            return line;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @Test
    void requestsReachTheHandlerAndGetOneReplyEach() throws IOException {
        try (Client c = new Client()) {
            c.send("{\"op\":\"register\",\"model\":\"resnet18\",\"hash\":\"3f2a9c0d\",\"slowdown\":1.3,\"percentile\":\"p99\"}");
            assertEquals("{\"ok\":true,\"user\":\"" + System.getProperty("user.name") + "\"}", c.read());
            c.send("{\"op\":\"begin\",\"model\":\"resnet18\"}");
            c.send("{\"op\":\"report\",\"model\":\"resnet18\",\"latenciesMs\":[31.5,30.25]}");
            c.send("{\"op\":\"status\"}");
            for (int i = 0; i < 3; i++) {
                assertTrue(c.read().startsWith("{\"ok\":true"));
            }
        }
        assertEquals(new ControlRequest.Register("resnet18", "3f2a9c0d", 1, null, 1.3, "p99"), seen.get(0));
        assertEquals(new ControlRequest.Report("resnet18", List.of(31.5, 30.25), List.of()), seen.get(2));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.path())));
    }

    private void assertRefused(byte[] bytes, String reason) throws IOException {
        try (Client bad = new Client(); Client good = new Client()) {
            bad.send(bytes);
            String reply = bad.read();
            assertTrue(reply != null && reply.startsWith("{\"ok\":false,\"error\":") && reply.contains(reason), reply);
            assertEquals(null, bad.read(), "the connection is closed");
            good.send("{\"op\":\"status\"}");
            assertTrue(good.read().startsWith("{\"ok\":true"), "other clients are not disturbed");
        }
        assertTrue(seen.stream().allMatch(r -> r instanceof ControlRequest.Status), "nothing bad reached the handler");
    }

    @Test
    void valuesBeyondTheirBoundsAreRefusedWithTheBoundNamed() throws IOException {
        String latency = "latenciesMs holds positive numbers of ms up to one hour (3600000) only";
        assertRefused(line("{\"op\":\"report\",\"model\":\"m\",\"latenciesMs\":[1e308]}"), latency);
        assertRefused(line("{\"op\":\"report\",\"model\":\"m\",\"latenciesMs\":[30,3600000.5]}"), latency);
        assertRefused(line("{\"op\":\"report\",\"model\":\"m\",\"latenciesMs\":[-1]}"), latency);
        assertRefused(line("{\"op\":\"report\",\"model\":\"m\",\"latenciesMs\":[0]}"), latency);
        assertRefused(line("{\"op\":\"register\",\"model\":\"m\",\"budgetMs\":1e308}"), "budgetMs must be a positive number up to one hour");
        assertRefused(line("{\"op\":\"register\",\"model\":\"m\",\"slowdown\":1e308}"), "slowdown must be a positive number up to 100");
        assertRefused(line("{\"op\":\"register\",\"model\":\"m\",\"slowdown\":100.5}"), "slowdown must be a positive number up to 100");
        // the bounds themselves are taken
        try (Client c = new Client()) {
            c.send("{\"op\":\"report\",\"model\":\"m\",\"latenciesMs\":[3600000]}");
            assertTrue(c.read().startsWith("{\"ok\":true"));
            c.send("{\"op\":\"register\",\"model\":\"m\",\"slowdown\":100}");
            assertTrue(c.read().startsWith("{\"ok\":true"));
        }
    }

    private static byte[] line(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void malformedBinaryAndOversizedRequestsAreRefusedAndCutOff() throws IOException {
        assertRefused("{not json\n".getBytes(StandardCharsets.UTF_8), "not JSON");
        assertRefused("[1,2]\n".getBytes(StandardCharsets.UTF_8), "a request is a JSON object");
        assertRefused("{\"op\":\"reboot\"}\n".getBytes(StandardCharsets.UTF_8), "unknown op 'reboot'");
        assertRefused("{\"op\":\"register\",\"model\":\"../../etc\",\"budgetMs\":40}\n".getBytes(StandardCharsets.UTF_8), "model must be");
        assertRefused("{\"op\":\"register\",\"model\":\"m\",\"budgetMs\":40,\"slowdown\":1.2}\n".getBytes(StandardCharsets.UTF_8), "exactly one");
        assertRefused("{\"op\":\"report\",\"model\":\"m\",\"latenciesMs\":[1,-2]}\n".getBytes(StandardCharsets.UTF_8), "positive numbers");
        assertRefused(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x01, '\n'}, "not UTF-8");
        byte[] huge = new byte[ControlProtocol.MAX_FRAME + 10];
        java.util.Arrays.fill(huge, (byte) 'a');
        assertRefused(huge, "request longer than");
    }

    @Test
    void aRequestSentTooSlowlyIsCutOff() throws Exception {
        try (Client slow = new Client()) {
            slow.send("{\"op\":\"sta".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(600);
            String reply = slow.read();
            assertTrue(reply != null && reply.contains("not finished in time"), reply);
            assertEquals(null, slow.read());
        }
    }

    @Test
    void manyClientsComingAndGoingLeaveTheServerServing() throws IOException {
        for (int i = 0; i < 500; i++) {
            try (Client c = new Client()) {
                if (i % 2 == 0) {
                    c.send("{\"op\":\"status\"}");
                }
            }
        }
        try (Client c = new Client()) {
            c.send("{\"op\":\"status\"}");
            assertTrue(c.read().startsWith("{\"ok\":true"));
        }
    }

    /** Thousands at once: every connected client is answered up to the limit, the rest are told why, none hangs. */
    @Test
    void thousandsOfClientsAtOnceAreAnsweredOrToldWhy() throws IOException {
        java.util.List<Client> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 2500; i++) {
                Client c = new Client();
                clients.add(c);
                try {
                    c.send("{\"op\":\"status\"}");
                } catch (IOException closedAlready) {
                    // past the limit the server may answer and close before this client has sent: its reply waits
                }
            }
            int answered = 0;
            int refused = 0;
            for (Client c : clients) {
                String reply = c.read();
                if (reply != null && reply.startsWith("{\"ok\":true")) {
                    answered++;
                } else if (reply != null && reply.contains("too many clients")) {
                    refused++;
                }
            }
            assertEquals(2500, answered + refused, "every client got an answer");
            assertTrue(answered >= ControlServer.MAX_CLIENTS - 1, answered + " answered");
        } finally {
            for (Client c : clients) {
                c.close();
            }
        }
        try (Client c = new Client()) {
            c.send("{\"op\":\"status\"}");
            assertTrue(c.read().startsWith("{\"ok\":true"), "still serving once they are gone");
        }
    }

    @Test
    void theSocketCanBelongToAGroupWhoseMembersNeedNoRoot() throws Exception {
        Path grouped = tmp.resolve("grouped.sock");
        try (ControlServer s = ControlServer.start(grouped, (r, p) -> CompletableFuture.completedFuture(ControlProtocol.reply(new ControlReply.Done())), Duration.ofSeconds(1), "daemon")) {
            assertEquals("daemon", java.nio.file.Files.readAttributes(grouped, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).group().getName());
            assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(grouped, java.nio.file.LinkOption.NOFOLLOW_LINKS)));
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(io.joulegov.device.DeviceException.class, () -> ControlServer.start(
                tmp.resolve("nogroup.sock"), (r, p) -> CompletableFuture.completedFuture(""), Duration.ofSeconds(1), "no-such-group-here"));
        assertTrue(e.getMessage().contains("there is no group 'no-such-group-here'"), e.getMessage());
        assertFalse(java.nio.file.Files.exists(tmp.resolve("nogroup.sock"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "nothing left behind");
    }

    private static String begin(String model) {
        return "{\"op\":\"begin\",\"model\":\"" + model + "\"}";
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(5);
        }
    }

    /** Writes what the socket takes without waiting (a client that never reads would block on the rest). */
    private static int sendWhatFits(Client c, byte[] bytes) throws IOException {
        c.channel.configureBlocking(false);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining() && c.channel.write(b) > 0) {
            // on while the socket takes more
        }
        return b.position();
    }

    /** From now on every request is answered by a future the test completes: the list holds them, in request order. */
    private List<CompletableFuture<String>> answersHeld() {
        List<CompletableFuture<String>> held = new CopyOnWriteArrayList<>();
        answer = (request, peer) -> {
            CompletableFuture<String> f = new CompletableFuture<>();
            held.add(f);
            return f;
        };
        return held;
    }

    private static byte[] lines(String line, int times) {
        return (line + "\n").repeat(times).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void repliesComeInRequestOrderWhenHandlerFuturesCompleteOutOfOrder() throws Exception {
        List<CompletableFuture<String>> held = answersHeld();
        try (Client c = new Client()) {
            for (int i = 0; i < 5; i++) {
                c.send(begin("m" + i));
            }
            c.send("{not json");
            waitFor(() -> held.size() == 5, "five requests handled");
            for (int i = 4; i >= 0; i--) {
                int n = i;
                Thread t = new Thread(() -> held.get(n).complete("{\"ok\":true,\"n\":" + n + "}")); // not the server's thread
                t.start();
                t.join();
                Thread.sleep(20);
            }
            for (int i = 0; i < 5; i++) {
                assertEquals("{\"ok\":true,\"n\":" + i + "}", c.read());
            }
            String error = c.read();
            assertTrue(error != null && error.contains("not JSON"), "the server's own error reply keeps its place: " + error);
            assertEquals(null, c.read(), "closed after the error reply");
        }
    }

    @Test
    void aHandlerThatCompletesLaterStillGetsItsReplyWritten() throws Exception {
        answer = (request, peer) -> request instanceof ControlRequest.Begin b && b.model().equals("fails")
                ? CompletableFuture.supplyAsync(() -> {
                    throw new IllegalStateException("the governor is stopping");
                }, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
                : CompletableFuture.supplyAsync(() -> "{\"ok\":true,\"late\":true}", CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
        try (Client c = new Client()) {
            c.send("{\"op\":\"status\"}");
            assertEquals("{\"ok\":true,\"late\":true}", c.read());
            c.send(begin("fails"));
            assertEquals(ControlProtocol.error("the governor is stopping"), c.read(), "a failed future is an error reply");
            c.send("{\"op\":\"status\"}");
            assertEquals("{\"ok\":true,\"late\":true}", c.read(), "and the connection serves on");
        }
    }

    @Test
    void aClientThatPipelinesManyRequestsAndNeverReadsIsThrottledWhileOthersAreServedPromptly() throws Exception {
        // replies of 1 KB: 10,000 of them are far more than socket buffers hold, 64 far less than the output bound
        String reply = "{\"ok\":true,\"pad\":\"" + "x".repeat(1000) + "\"}";
        answer = (request, peer) -> CompletableFuture.completedFuture(reply);
        try (Client hostile = new Client(); Client good = new Client()) {
            int sent = sendWhatFits(hostile, lines("{\"op\":\"status\"}", 10_000));
            int handled = -1;
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); handled != seen.size(); Thread.sleep(200)) {
                assertTrue(System.nanoTime() < deadline, "the server stops reading the client that does not read");
                handled = seen.size();
            }
            assertTrue(handled < 10_000, handled + " handled");
            assertTrue(gone.isEmpty(), "throttled, not cut off");
            long worst = 0;
            for (int i = 0; i < 100; i++) {
                long t0 = System.nanoTime();
                good.send("{\"op\":\"status\"}");
                assertEquals(reply, good.read());
                worst = Math.max(worst, System.nanoTime() - t0);
            }
            assertTrue(worst < TimeUnit.MILLISECONDS.toNanos(200), "slowest round trip " + worst / 1e6 + " ms");
            // once it reads, it gets every reply of what it sent, in order, none lost to the pause
            hostile.channel.configureBlocking(true);
            int lines = sent / "{\"op\":\"status\"}\n".length();
            for (int i = 0; i < lines; i++) {
                assertEquals(reply, hostile.read(), "reply " + i);
            }
        }
    }

    @Test
    void aClientWhoseRepliesWouldOverflowItsBufferIsCutOffAndOthersDoNotNotice() throws Exception {
        String big = "{\"ok\":true,\"pad\":\"" + "x".repeat(60_000) + "\"}";
        answer = (request, peer) -> CompletableFuture.completedFuture(
                request instanceof ControlRequest.Begin ? big : "{\"ok\":true}");
        try (Client hostile = new Client(); Client good = new Client()) {
            sendWhatFits(hostile, lines(begin("big"), 60)); // 60 x 60 KB: far beyond the socket and 256 KiB
            waitFor(() -> !gone.isEmpty(), "the client that does not read is cut off");
            good.send("{\"op\":\"status\"}");
            assertEquals("{\"ok\":true}", good.read());
            assertEquals(1, gone.size(), "only the one that does not read");
        }
    }

    @Test
    void aClientWeStopReadingIsNotCutOffAsSlowAndGetsEveryReply() throws Exception {
        List<CompletableFuture<String>> held = answersHeld();
        try (Client c = new Client()) {
            c.send(lines("{\"op\":\"status\"}", 200));
            waitFor(() -> held.size() == ControlServer.MAX_IN_FLIGHT, "as many handled as may be in flight");
            Thread.sleep(600); // twice 'slow', with the rest of the pipeline unread
            assertEquals(ControlServer.MAX_IN_FLIGHT, held.size(), "no more read while they are in flight");
            assertTrue(gone.isEmpty(), "not cut off");
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                waitFor(() -> !held.isEmpty(), "the next request handled");
                held.remove(0).complete("{\"ok\":true}");
                replies.add(c.read());
            }
            assertTrue(replies.stream().allMatch("{\"ok\":true}"::equals), replies.toString());
        }
    }

    @Test
    void aClientReconnectingInALoopIsAcceptedNoFasterThanTheRateAndOthersAreServed() throws Exception {
        int extra = ControlServer.ACCEPTS_PER_SECOND / 2;
        long t0 = System.nanoTime();
        for (int i = 0; i < ControlServer.MAX_CLIENTS + extra; i++) {
            new Client().close(); // the burst is taken at once, the rest at the rate
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds >= 0.4, "accepted " + (ControlServer.MAX_CLIENTS + extra) + " in " + seconds + " s");
        try (Client c = new Client()) {
            c.send("{\"op\":\"status\"}");
            assertTrue(c.read().startsWith("{\"ok\":true"));
        }
    }
}
