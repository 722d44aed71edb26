package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code profile --attach}: the profiler takes the daemon's place on the control socket of a live virtual Nano and
 * profiles the inferences that {@code simulate --workload --socket} runs and reports, as any application would.
 */
class AttachProfilingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CPU = "sys/devices/system/cpu/cpufreq/policy0/";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @Test
    void aProfileOfAnotherProcesssStreamSurvivesKillDashNineAndResumes() throws Exception {
        Path root = tmp.resolve("nano");
        Path socket = tmp.resolve("joulegov.sock");
        LiveNano.start(processes, root, tmp.resolve("simulate.log"), "--workload", "bert-tiny", "--socket", socket.toString());
        Map<String, String> before = JoulegovProcess.knobs(root);
        Path out = tmp.resolve("bert-attached.json");
        Path checkpoint = tmp.resolve("bert-attached.json.partial");
        String[] args = {"profile", "--no-emc", "--attach", "--root", root.toString(), "--socket", socket.toString(), "--grid", "sparse",
                "--inferences", "20", "--reruns", "1", "--out", out.toString()};
        Process first = JoulegovProcess.start(tmp.resolve("profile.log"), args);
        processes.add(first);
        Await.until(() -> Files.exists(checkpoint) && rows(checkpoint) >= 2, "two points measured");
        first.destroyForcibly(); // kill -9: no hook runs, the board stays pinned
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        int done = rows(checkpoint);

        List<String> again = new ArrayList<>(List.of(args));
        again.add("--resume");
        CliRun resumed = CliRun.of(again.toArray(String[]::new));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.err().contains("profiling bert-tiny (batch 1) as its application runs it"), resumed.err());
        Matcher m = Pattern.compile("profiled bert-tiny: (\\d+) of 180 points measured \\((\\d+) before resuming\\)")
                .matcher(resumed.out());
        assertTrue(m.find(), resumed.out());
        assertTrue(Integer.parseInt(m.group(2)) >= done, "no point measured before the kill is measured again");
        assertFalse(Files.exists(checkpoint));
        assertEquals(before, JoulegovProcess.knobs(root), "every knob as before the killed profiler pinned it");

        JsonNode profile = JSON.readTree(out.toFile());
        JsonNode key = profile.path("key");
        assertEquals("bert-tiny", key.path("model").asText());
        assertEquals("attached", key.path("engine").asText());
        assertEquals("measured", key.path("source").asText());
        assertEquals(180, profile.path("rows").size(), "the sparse profile covers the grid");
        double fastest = Double.MAX_VALUE;
        double slowest = 0;
        for (JsonNode r : profile.path("rows")) {
            if (r.path("source").asText().equals("measured")) {
                assertTrue(r.path("energyJ").asDouble() > 0, "every measured point has energy: " + r);
                assertTrue(r.path("inferences").asInt() >= 20, "a window holds the inferences asked for at least: " + r);
                fastest = Math.min(fastest, r.path("meanMs").asDouble());
                slowest = Math.max(slowest, r.path("meanMs").asDouble());
            }
        }
        // the stream's latencies follow the clocks the profiler held: bert-tiny takes 8 ms at the top, 65 at the bottom
        assertTrue(fastest < 12 && slowest > 40, "latencies from " + fastest + " to " + slowest + " ms");
    }

    @Test
    void attachIsForABoardAtRootAndTheApplicationDescribesItsModel() {
        CliRun virtual = CliRun.of("profile", "--no-emc", "--attach", "--virtual", "nano");
        assertEquals(2, virtual.exitCode());
        assertTrue(virtual.err().contains("--virtual boards run their own workloads"), virtual.err());
        CliRun batch = CliRun.of("profile", "--no-emc", "--attach", "--root", tmp.toString(), "--batch", "4");
        assertEquals(2, batch.exitCode());
        assertTrue(batch.err().contains("with --attach the application registers its own"), batch.err());
        CliRun noModel = CliRun.of("profile", "--no-emc", "--virtual", "nano");
        assertEquals(2, noModel.exitCode());
        assertTrue(noModel.err().contains("--model is required (or --attach"), noModel.err());
        CliRun socketAlone = CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "resnet18", "--socket", "/tmp/s");
        assertEquals(2, socketAlone.exitCode());
        assertTrue(socketAlone.err().contains("--socket and --socket-group are for --attach"), socketAlone.err());
    }

    private static int rows(Path profile) throws IOException {
        try {
            return JSON.readTree(profile.toFile()).path("rows").size();
        } catch (IOException partlyWritten) {
            return 0;
        }
    }
}
