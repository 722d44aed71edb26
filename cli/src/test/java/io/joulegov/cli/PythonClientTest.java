package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Python client (clients/python/joulegov_client.py) run by Debian's python3, as a plain Python loop uses it,
 * against a daemon governing a live virtual Nano in a process of its own, and against no daemon at all.
 */
class PythonClientTest {

    static final Path CLIENT = Path.of("..", "clients", "python", "joulegov_client.py").toAbsolutePath().normalize();

    /** A loop of {@code n} timed inferences of about 2 ms, registered with a 1.3x slowdown; prints what was sent. */
    static final String LOOP = String.join("\n",
            "import sys, time",
            "sys.path.insert(0, sys.argv[1])",
            "from joulegov_client import Client",
            "client = Client(sys.argv[2])",
            "client.register('pyloop', slowdown=1.3)",
            "if sys.argv[4] == 'wait':",
            "    assert client.wait_registered(20), 'not registered'",
            "for i in range(int(sys.argv[3])):",
            "    with client.inference():",
            "        time.sleep(0.002)",
            "time.sleep(float(sys.argv[5]) if len(sys.argv) > 5 else 0)",
            "client.close()",
            "print('reported %d dropped %d' % (client.reported, client.dropped))",
            "");

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    private String python(List<String> args, int timeoutS) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("python3"));
        command.addAll(args);
        Path out = tmp.resolve("python.log");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        } catch (java.io.IOException missing) {
            throw new AssertionError("python3 is needed for this test (Debian: apt install python3; .ci/run installs it)", missing);
        }
        assertTrue(p.waitFor(timeoutS, TimeUnit.SECONDS), "python finishes");
        String log = Files.readString(out);
        assertEquals(0, p.exitValue(), log);
        return log;
    }

    @Test
    void theClientIsWrittenForPython36() throws Exception {
        python(List.of("-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 6))",
                CLIENT.toString()), 30);
    }

    @Test
    void aPlainPythonLoopRegistersWithTheDaemonWhichCountsEveryInference() throws Exception {
        int port = MetricsEndpoint.freePort();
        Path log = tmp.resolve("govern.log");
        processes.add(JoulegovProcess.start(log, "govern", "--virtual", "nano", "--cache", tmp.resolve("cache").toString(),
                "--metrics-port", Integer.toString(port)));
        // the loop stays registered for 5 s after its last inference, then closes, which unregisters it
        Path out = tmp.resolve("python.log");
        Process loop = new ProcessBuilder("python3", "-c", LOOP, CLIENT.getParent().toString(),
                JoulegovProcess.controlSocket(log), "300", "wait", "5").redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        String series = "joulegov_inference_latency_seconds_count{model=\"pyloop\"}";
        try {
            // pyloop has no profile: the daemon governs it anyway, learning it from the fastest point
            Await.until(() -> MetricsEndpoint.scrape(port).contains(series + " 300"), () -> MetricsEndpoint.scrape(port));
            assertTrue(loop.waitFor(60, TimeUnit.SECONDS), "python finishes");
        } finally {
            loop.destroy();
        }
        assertTrue(Files.readString(out).contains("reported 300 dropped 0"), Files.readString(out));
        // unregistered: its series go with it
        Await.until(() -> !MetricsEndpoint.scrape(port).contains(series), () -> MetricsEndpoint.scrape(port));
    }

    /** Issue 15: any stack can be profiled; here a plain Python loop, by profile --attach in the daemon's place. */
    @Test
    void aPlainPythonLoopIsProfiledByTheProfilerInTheDaemonsPlace() throws Exception {
        Path root = tmp.resolve("nano");
        Path socket = tmp.resolve("joulegov.sock");
        LiveNano.start(processes, root, tmp.resolve("simulate.log"));
        processes.add(new ProcessBuilder("python3", "-c", LOOP, CLIENT.getParent().toString(), socket.toString(), "1000000",
                "nowait").redirectErrorStream(true).redirectOutput(tmp.resolve("loop.log").toFile()).start());
        Path out = tmp.resolve("pyloop.json");
        CliRun run = CliRun.of("profile", "--no-emc", "--attach", "--root", root.toString(), "--socket", socket.toString(), "--grid",
                "sparse", "--inferences", "20", "--reruns", "1", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        JsonNode profile = new ObjectMapper().readTree(out.toFile());
        assertEquals("pyloop", profile.path("key").path("model").asText());
        assertEquals("attached", profile.path("key").path("engine").asText());
        int measured = 0;
        for (JsonNode r : profile.path("rows")) {
            if (r.path("source").asText().equals("measured")) {
                measured++;
                // the loop sleeps 2 ms whatever the clocks: what it reported is what was measured
                assertTrue(r.path("meanMs").asDouble() >= 2 && r.path("meanMs").asDouble() < 20, r.toString());
                assertTrue(r.path("energyJ").asDouble() > 0, r.toString());
            }
        }
        assertTrue(measured >= 16, "the sparse plan's points were measured: " + measured);
    }

    @Test
    void withNoDaemonTheLoopRunsOnUnharmedAndCountsWhatItDropped() throws Exception {
        long start = System.nanoTime();
        String out = python(List.of("-c", LOOP, CLIENT.getParent().toString(), tmp.resolve("nobody.sock").toString(), "200",
                "nowait"), 60);
        assertTrue(out.contains("reported 0 dropped 200"), out);
        // 200 inferences of 2 ms: a missing daemon adds nothing that a person would notice
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20), "the loop was not held up");
    }
}
