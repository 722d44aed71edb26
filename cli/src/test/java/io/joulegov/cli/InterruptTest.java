package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
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
 * The signals a terminal and systemd send, to every process that pins a live virtual Nano: each gives every knob
 * back, removes the journal, and (profile) says how to resume.
 */
class InterruptTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CPU = "sys/devices/system/cpu/cpufreq/policy0/";

    @TempDir
    Path tmp;

    private Path root;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    @BeforeEach
    void liveNano() throws Exception {
        root = tmp.resolve("nano");
        LiveNano.start(processes, root, tmp.resolve("simulate.log"));
    }

    private String[] profileArgs(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("profile", "--no-emc", "--root", root.toString(), "--model", "bert-tiny", "--grid",
                "sparse", "--inferences", "20", "--reruns", "3", "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static int rows(Path profile) throws IOException {
        return JSON.readTree(profile.toFile()).path("rows").size();
    }

    @Test
    void ctrlCStopsProfilingGivesTheBoardBackAndResumeMeasuresNoPointTwice() throws Exception {
        Map<String, String> before = JoulegovProcess.knobs(root);
        Path out = tmp.resolve("bert.json");
        Path checkpoint = tmp.resolve("bert.json.partial");
        Path log = tmp.resolve("profile.log");
        Process profile = JoulegovProcess.start(log, profileArgs(out));
        processes.add(profile);
        Await.until(() -> Files.exists(checkpoint) && rows(checkpoint) >= 2 && read(CPU + "scaling_governor").equals("userspace"),
                "two points measured, the board pinned");
        JoulegovProcess.interrupt(profile);
        assertTrue(profile.waitFor(2, TimeUnit.SECONDS), "stopped within 2 s");
        assertEquals(130, profile.exitValue(), Files.readString(log));
        assertEquals(before, JoulegovProcess.knobs(root), "every knob as before");
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "no journal left");
        int done = rows(checkpoint);
        String said = Files.readString(log);
        assertTrue(said.contains("joulegov: stopped after " + done + " point(s); every clock setting is back as it was. "
                + "Continue with: joulegov profile --no-emc --root " + root), said);
        assertTrue(said.strip().endsWith("--resume"), said);

        CliRun resumed = CliRun.of(profileArgs(out, "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        Matcher m = Pattern.compile("(\\d+) of 180 points measured \\((\\d+) before resuming\\)").matcher(resumed.out());
        assertTrue(m.find(), resumed.out());
        assertEquals(done, Integer.parseInt(m.group(2)), "resumed from every point measured before the Ctrl-C");
        JsonNode profileRows = JSON.readTree(out.toFile()).path("rows");
        long measured = 0;
        for (JsonNode r : profileRows) {
            measured += "predicted".equals(r.path("source").asText()) ? 0 : 1;
        }
        assertEquals(Integer.parseInt(m.group(1)), measured, "each point measured once");
        assertFalse(Files.exists(checkpoint));
    }

    @Test
    void sigtermStopsProfilingAndGivesTheBoardBack() throws Exception {
        Map<String, String> before = JoulegovProcess.knobs(root);
        Path checkpoint = tmp.resolve("bert.json.partial");
        Path log = tmp.resolve("profile.log");
        Process profile = JoulegovProcess.start(log, profileArgs(tmp.resolve("bert.json")));
        processes.add(profile);
        Await.until(() -> Files.exists(checkpoint) && rows(checkpoint) >= 1 && read(CPU + "scaling_governor").equals("userspace"),
                "a point measured, the board pinned");
        profile.destroy();
        assertTrue(profile.waitFor(2, TimeUnit.SECONDS), "stopped within 2 s");
        assertEquals(143, profile.exitValue(), Files.readString(log));
        assertEquals(before, JoulegovProcess.knobs(root), "every knob as before");
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "no journal left");
        assertTrue(Files.readString(log).contains("--resume"), Files.readString(log));
    }

    @Test
    void sigtermToAnApplicationGoverningInProcessWithoutCloseGivesTheClocksBack() throws Exception {
        Path cache = tmp.resolve("cache");
        VirtualProfile.resnet18Into(cache);
        Map<String, String> before = JoulegovProcess.knobs(root);
        Path log = tmp.resolve("app.log");
        Process app = JoulegovProcess.startMain(log, InProcessApp.class, root.toString(), cache.toString());
        processes.add(app);
        Await.until(() -> Files.readString(log).contains("governing") && read(CPU + "scaling_governor").equals("userspace"),
                "the application governs the board");
        app.destroy();
        assertTrue(app.waitFor(10, TimeUnit.SECONDS));
        assertEquals(before, JoulegovProcess.knobs(root), "every knob as before");
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "no journal left");
    }

    private String read(String rel) {
        try {
            return Files.readString(root.resolve(rel)).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
