package io.joulegov.cli;

import io.joulegov.device.testing.TreeSnapshot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** joulegov in a process of its own (for kill -9, SIGTERM and end-to-end tests), and the knobs it may change. */
final class JoulegovProcess {

    private JoulegovProcess() {
    }

    /** Starts {@code joulegov args...} on this test's class path; its output goes to {@code log} (or nowhere). */
    static Process start(Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JoulegovCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        return (log == null ? pb.redirectOutput(ProcessBuilder.Redirect.DISCARD) : pb.redirectOutput(log.toFile())).start();
    }

    /** Every clock knob joulegov writes (governors, min, max, setspeed, the EMC override) under a board root. */
    static Map<String, String> knobs(Path root) {
        Map<String, String> all = TreeSnapshot.of(root.resolve("sys"));
        all.keySet().removeIf(k -> !(k.endsWith("scaling_governor") || k.endsWith("_min_freq") || k.endsWith("_max_freq")
                || k.endsWith("scaling_setspeed") || k.endsWith("/governor") || k.endsWith("/min_freq")
                || k.endsWith("/max_freq") || k.endsWith("clk_state") || k.endsWith("clk_update_rate")));
        return all;
    }
}
