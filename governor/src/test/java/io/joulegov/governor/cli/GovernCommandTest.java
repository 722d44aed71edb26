package io.joulegov.governor.cli;

import io.joulegov.device.clock.Clock;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.Boards;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon on a live virtual Nano, as on a board: pins through the files, answers on its socket, gives back. */
class GovernCommandTest {

    @TempDir
    Path tmp;

    private Path root;
    private VirtualBoard board;
    private Map<String, String> knobsBefore;

    @BeforeEach
    void liveBoardWithAProfile() throws Exception {
        root = tmp.resolve("nano");
        board = VirtualBoard.create(Boards.nano(), root, false, 5, true).startLive(Clock.system(), 10_000_000L);
        CliRun profiled = CliRun.of("profile", "--virtual", "nano", "--model", "resnet18", "--grid", "sparse",
                "--inferences", "100", "--reruns", "3", "--cache", root.resolve("var/lib/joulegov/models-cache").toString());
        assertEquals(0, profiled.exitCode(), profiled.err());
        Thread.sleep(100);
        knobsBefore = knobs();
    }

    @AfterEach
    void closeBoard() {
        board.close();
    }

    private Map<String, String> knobs() {
        return JoulegovProcess.knobs(root);
    }

    private String read(String rel) throws Exception {
        return Files.readString(root.resolve(rel)).trim();
    }

    /** One request, one reply; like any client it retries a refused connection (the socket file exists before listen). */
    private static String ask(Path socket, String request) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return askOnce(socket, request);
            } catch (java.net.ConnectException refused) {
                if (attempt == 50) {
                    throw refused;
                }
                Thread.sleep(20);
            }
        }
    }

    private static String askOnce(Path socket, String request) throws Exception {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer in = ByteBuffer.allocate(4096);
            StringBuilder s = new StringBuilder();
            while (s.indexOf("\n") < 0 && c.read(in) > 0) {
                s.append(new String(in.array(), 0, in.position(), StandardCharsets.UTF_8));
                in.clear();
            }
            return s.toString().trim();
        }
    }

    @Test
    void governsOverItsSocketAndGivesEverythingBack() throws Exception {
        Path socket = root.resolve("run/joulegov/joulegov.sock");
        CompletableFuture<CliRun> govern = CompletableFuture.supplyAsync(() -> CliRun.of("govern", "--root", root.toString(),
                "--allow-virtual-profiles", "--duration", "4"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String registered = ask(socket, "{\"op\":\"register\",\"model\":\"resnet18\",\"slowdown\":1.4,\"percentile\":\"p99\"}");
        assertTrue(registered.startsWith("{\"ok\":true,\"cpuKHz\":"), registered);
        assertTrue(ask(socket, "{\"op\":\"begin\",\"model\":\"resnet18\"}").startsWith("{\"ok\":true"));
        String status = ask(socket, "{\"op\":\"status\"}");
        assertTrue(status.contains("\"models\":[\"resnet18\"]"), status);
        assertEquals("userspace", read("sys/devices/system/cpu/cpufreq/policy0/scaling_governor"));
        String gpuMin = read("sys/devices/57000000.gpu/devfreq/57000000.gpu/min_freq");
        assertEquals(gpuMin, read("sys/devices/57000000.gpu/devfreq/57000000.gpu/max_freq"), "the GPU is pinned");
        Thread.sleep(300);
        assertEquals(gpuMin, read("sys/devices/57000000.gpu/devfreq/57000000.gpu/cur_freq"), "the board runs at the pin");
        assertTrue(ask(socket, "{\"op\":\"report\",\"model\":\"nobody\",\"latenciesMs\":[1]}").contains("is not registered"));
        CliRun run = govern.get(20, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
        Thread.sleep(100); // the live board shows "<unsupported>" in setspeed at its next 10 ms tick, as the kernel does at once
        assertEquals(knobsBefore, knobs(), "every knob is back as it was");
        assertFalse(Files.exists(socket));
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")));
    }

    @Test
    void clearErrorsLeaveTheKnobsUntouched() throws Exception {
        CliRun virtualProfile = CliRun.of("govern", "--root", root.toString(), "--model", "resnet18", "--slowdown", "1.3", "--duration", "1");
        assertEquals(2, virtualProfile.exitCode());
        assertTrue(virtualProfile.err().contains("made on a virtual board"), virtualProfile.err());
        CliRun noProfile = CliRun.of("govern", "--root", root.toString(), "--model", "alexnet", "--slowdown", "1.3",
                "--allow-virtual-profiles", "--duration", "1");
        assertEquals(1, noProfile.exitCode());
        assertTrue(noProfile.err().contains("no profile for alexnet"), noProfile.err());
        CliRun infeasible = CliRun.of("govern", "--root", root.toString(), "--model", "resnet18", "--budget-ms", "1",
                "--allow-virtual-profiles", "--duration", "1");
        assertEquals(3, infeasible.exitCode());
        assertTrue(infeasible.err().contains("no operating point meets 1.00 ms"), infeasible.err());
        assertEquals(2, CliRun.of("govern", "--virtual", "nano").exitCode());
        assertEquals(knobsBefore, knobs());
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "nothing was journaled");
    }

    /** SIGTERM (what systemd sends on stop) makes the daemon give every knob back by itself. */
    @Test
    void sigtermRestoresByItself() throws Exception {
        Process daemon = startDaemon();
        daemon.destroy();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
        Thread.sleep(100);
        assertEquals(knobsBefore, knobs());
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "the journal is gone once restored");
    }

    private Process startDaemon() throws Exception {
        Process daemon = JoulegovProcess.start(null, "govern", "--root", root.toString(), "--model", "resnet18",
                "--slowdown", "1.3", "--allow-virtual-profiles");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!read("sys/devices/system/cpu/cpufreq/policy0/scaling_governor").equals("userspace") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(200);
        assertEquals("userspace", read("sys/devices/system/cpu/cpufreq/policy0/scaling_governor"), "the daemon took the CPU");
        return daemon;
    }

    /** kill -9 of the daemon while it holds the board; restore gives every knob back. */
    @Test
    void restoreUndoesAKillDashNine() throws Exception {
        Process daemon = startDaemon();
        daemon.destroyForcibly();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
        assertEquals("userspace", read("sys/devices/system/cpu/cpufreq/policy0/scaling_governor"), "left pinned by the kill");
        CliRun restore = CliRun.of("restore", "--root", root.toString());
        assertEquals(0, restore.exitCode(), restore.err());
        Thread.sleep(100);
        assertEquals(knobsBefore, knobs());
    }
}
