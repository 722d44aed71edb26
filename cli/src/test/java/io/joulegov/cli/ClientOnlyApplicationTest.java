package io.joulegov.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application that depends only on joulegov-client (and DJL) compiles against that alone, and reports every
 * inference to a running daemon ({@code govern --virtual nano}) in a process of its own.
 */
class ClientOnlyApplicationTest {

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    /** The class path entries an application has: joulegov-client and its own libraries, no other joulegov module. */
    private static List<String> applicationClassPath(boolean runtime) {
        List<String> out = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String e = entry.replace('\\', '/');
            boolean client = e.contains("/client/target/classes") || e.contains("/joulegov-client-");
            boolean otherModule = e.contains("/io/joulegov/") || e.matches(".*/(device|policies|profiler|djl|simulator|governor|cli|client)/target/.*");
            boolean compileLibrary = e.contains("/ai/djl/api/") || e.contains("/com/fasterxml/jackson/core/") || e.contains("/org/slf4j/slf4j-api/");
            boolean runtimeLibrary = !e.contains("junit") && !e.contains("opentest4j") && !e.contains("jmh");
            if (client || (!otherModule && (compileLibrary || (runtime && runtimeLibrary)))) {
                out.add(entry);
            }
        }
        return out;
    }

    @Test
    void aDjlApplicationWithOnlyTheClientReportsEveryInferenceToTheDaemon() throws Exception {
        Path cache = tmp.resolve("cache");
        VirtualProfile.resnet18Into(cache);
        int port = MetricsEndpoint.freePort();
        Path log = tmp.resolve("govern.log");
        processes.add(JoulegovProcess.start(log, "govern", "--virtual", "nano", "--cache", cache.toString(),
                "--metrics-port", Integer.toString(port)));

        Path src = tmp.resolve("app/App.java");
        Files.createDirectories(src.getParent());
        Files.copy(Path.of(getClass().getResource("/client-app/App.java").toURI()), src);
        Path classes = tmp.resolve("app/classes");
        Files.createDirectories(classes);
        List<String> compileCp = applicationClassPath(false);
        assertEquals(1, compileCp.stream().filter(e -> e.contains("client")).count(), compileCp.toString());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int compiled = javac.run(null, null, errors, "-d", classes.toString(), "-cp", String.join(File.pathSeparator, compileCp),
                src.toString());
        assertEquals(0, compiled, "the application compiles against joulegov-client alone: " + errors);

        String socket = JoulegovProcess.controlSocket(log);

        List<String> runCp = new ArrayList<>(applicationClassPath(true));
        runCp.add(0, classes.toString());
        List<String> command = new ArrayList<>(Arrays.asList(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-cp", String.join(File.pathSeparator, runCp), "App", socket, "300"));
        Process app = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("app.log").toFile()).start();
        assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the application finishes");
        String out = Files.readString(tmp.resolve("app.log"));
        assertEquals(0, app.exitValue(), out);
        assertTrue(out.contains("reported 300 dropped 0"), out);
        String metrics = MetricsEndpoint.scrape(port);
        assertTrue(metrics.contains("joulegov_inference_latency_seconds_count{model=\"resnet18\"} 300"), metrics);
    }
}
