package io.joulegov.cli;

import io.joulegov.device.testing.TreeSnapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** joulegov in a process of its own (for kill -9, SIGTERM and end-to-end tests), and the knobs it may change. */
final class JoulegovProcess {

    private JoulegovProcess() {
    }

    /** Starts {@code joulegov args...} on this test's class path; its output goes to {@code log} (or nowhere). */
    static Process start(Path log, String... args) throws IOException {
        return startMain(log, JoulegovCommand.class, args);
    }

    /**
     * Starts {@code main} with {@code args} on this test's class path, with SIGINT at its default action as in a
     * terminal (a child of a background process inherits it ignored, and the JVM then never sees Ctrl-C).
     */
    static Process startMain(Path log, Class<?> main, String... args) throws IOException {
        return startMain(log, List.of(), main, args);
    }

    /** As {@link #startMain(Path, Class, String...)}, the JVM started with {@code jvmOptions}. */
    static Process startMain(Path log, List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        return (log == null ? pb.redirectOutput(ProcessBuilder.Redirect.DISCARD) : pb.redirectOutput(log.toFile())).start();
    }

    /**
     * The JVM options the {@code joulegov} launcher (at the top of the repository) gives the daemon: a process test
     * of the daemon's pace runs it as deployed (a 1 MB young generation collects often but briefly).
     */
    static List<String> daemonJvmOptions() throws IOException {
        Path launcher = Path.of(System.getProperty("user.dir")).getParent().resolve("joulegov");
        Matcher m = Pattern.compile("(?m)^\\s*opts=\"(-Xmx[^\"]*)\"").matcher(Files.readString(launcher));
        if (!m.find()) {
            throw new IOException("no daemon options (opts=\"-Xmx...\") in " + launcher);
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    /** The control socket a {@code govern} started with {@link #start} names in {@code log}, once it names it. */
    static String controlSocket(Path log) throws Exception {
        Pattern line = Pattern.compile("control socket (\\S+?),");
        String[] socket = new String[1];
        Await.until(() -> {
            Matcher m = line.matcher(Files.readString(log));
            socket[0] = m.find() ? m.group(1) : null;
            return socket[0] != null;
        }, () -> "govern names its control socket; it said: " + Files.readString(log));
        return socket[0];
    }

    /** Sends SIGINT, as Ctrl-C in a terminal does. */
    static void interrupt(Process p) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -INT " + p.pid() + " failed");
        }
    }

    /** A board file as it reads now, trimmed; empty while it cannot be read (a live board rewrites its files). */
    static String read(Path root, String rel) {
        try {
            return Files.readString(root.resolve(rel)).trim();
        } catch (IOException e) {
            return "";
        }
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
