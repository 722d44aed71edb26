package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.joulegov.device.clock.Clock;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.governor.loop.GovernorLoop;
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
import java.util.List;
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
        VirtualProfile.resnet18Into(root.resolve("var/lib/joulegov/models-cache"));
        knobsBefore = knobs(); // startLive has set every file from the model before it returns, and no knob changes by itself
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
        String[] reply = new String[1];
        Await.until(() -> {
            try {
                reply[0] = askOnce(socket, request);
                return true;
            } catch (java.net.ConnectException refused) {
                return false;
            }
        }, "the daemon listens on " + socket);
        return reply[0];
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
        Await.until(() -> Files.exists(socket), "the daemon makes its socket");
        String registered = ask(socket, "{\"op\":\"register\",\"model\":\"resnet18\",\"slowdown\":1.4,\"percentile\":\"p99\"}");
        assertTrue(registered.startsWith("{\"ok\":true,\"cpuKHz\":"), registered);
        assertTrue(ask(socket, "{\"op\":\"begin\",\"model\":\"resnet18\"}").startsWith("{\"ok\":true"));
        String status = ask(socket, "{\"op\":\"status\"}");
        assertTrue(status.contains("\"models\":[\"resnet18\"]"), status);
        assertEquals("userspace", read("sys/devices/system/cpu/cpufreq/policy0/scaling_governor"));
        String gpuMin = read("sys/devices/57000000.gpu/devfreq/57000000.gpu/min_freq");
        assertEquals(gpuMin, read("sys/devices/57000000.gpu/devfreq/57000000.gpu/max_freq"), "the GPU is pinned");
        Await.equal(gpuMin, () -> read("sys/devices/57000000.gpu/devfreq/57000000.gpu/cur_freq"), "the board runs at the pin");
        assertTrue(ask(socket, "{\"op\":\"report\",\"model\":\"nobody\",\"latenciesMs\":[1]}").contains("is not registered"));
        CliRun run = govern.get(20, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
        // the live board shows "<unsupported>" in setspeed at its next 10 ms tick, as the kernel does at once
        Await.equal(knobsBefore, this::knobs, "every knob is back as it was");
        assertFalse(Files.exists(socket));
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")));
    }

    @Test
    void aModelWithNoProfileIsGovernedFromTheFastestPointAndLearned() throws Exception {
        CliRun noProfile = CliRun.of("govern", "--root", root.toString(), "--model", "alexnet", "--slowdown", "1.3",
                "--allow-virtual-profiles", "--metrics-port", "0", "--duration", "1");
        assertEquals(0, noProfile.exitCode(), noProfile.err());
        // the daemon logs that alexnet will be learned; the command says where it holds the board: at the top
        assertTrue(noProfile.out().contains("1 model(s) at CPU 1479.0 MHz, GPU 921.6 MHz"), noProfile.out());
        // the live board shows the restored governors' files at its next tick (10 ms; longer on a loaded machine)
        Await.equal(knobsBefore, this::knobs, "every knob is back as it was");
    }

    @Test
    void clearErrorsLeaveTheKnobsUntouched() throws Exception {
        CliRun virtualProfile = CliRun.of("govern", "--root", root.toString(), "--model", "resnet18", "--slowdown", "1.3", "--duration", "1");
        assertEquals(2, virtualProfile.exitCode());
        assertTrue(virtualProfile.err().contains("made on a virtual board"), virtualProfile.err());
        CliRun infeasible = CliRun.of("govern", "--root", root.toString(), "--model", "resnet18", "--budget-ms", "1",
                "--allow-virtual-profiles", "--duration", "1");
        assertEquals(3, infeasible.exitCode());
        assertTrue(infeasible.err().contains("no operating point meets 1.00 ms"), infeasible.err());
        assertEquals(knobsBefore, knobs());
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "nothing was journaled");
    }

    /** SIGTERM (what systemd sends on stop) makes the daemon give every knob back by itself. */
    @Test
    void sigtermRestoresByItself() throws Exception {
        Process daemon = startDaemon();
        daemon.destroy();
        assertTrue(daemon.waitFor(10, TimeUnit.SECONDS));
        Await.equal(knobsBefore, this::knobs);
        assertFalse(Files.exists(root.resolve("var/lib/joulegov/restore.json")), "the journal is gone once restored");
        assertEquals(143, daemon.exitValue(), "128+15, as documented; the unit's SuccessExitStatus names it");
    }

    /**
     * The unit: a requested stop (SIGTERM, exit 143 as above) is a success for systemd, not a failed unit; and the
     * restore after a crash reads the same configuration as the daemon (its root and its journal).
     */
    @Test
    void theUnitCallsTheSigtermExitASuccessAndRestoresWithTheDaemonsConfiguration() throws Exception {
        List<String> unit = Files.readAllLines(Path.of("..", "systemd", "joulegov.service"));
        assertTrue(unit.contains("SuccessExitStatus=143"), "SuccessExitStatus=143 in the unit");
        String start = unit.stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        String config = start.replaceFirst(".*--config (\\S+).*", "$1");
        assertTrue(start.startsWith("ExecStart=/usr/bin/joulegov govern --config /"), start);
        assertTrue(unit.contains("ExecStopPost=/usr/bin/joulegov restore --config " + config), "ExecStopPost restores with " + config);
    }

    private Process startDaemon() throws Exception {
        Path log = tmp.resolve("govern.log");
        Process daemon = JoulegovProcess.start(log, "govern", "--root", root.toString(), "--model", "resnet18",
                "--slowdown", "1.3", "--allow-virtual-profiles");
        JoulegovProcess.controlSocket(log); // said once its model is registered and the board pinned for it
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
        Await.equal(knobsBefore, this::knobs);
    }



    /** A line of the Prometheus text format: a HELP or TYPE comment, or a sample (name, labels, value). */
    private static final java.util.regex.Pattern EXPOSITION = java.util.regex.Pattern.compile(
            "# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|summary|histogram|untyped)"
                    + "|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
                    + "(NaN|[+-]Inf|[-+]?[0-9.]+([eE][-+]?[0-9]+)?)");

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        int port = MetricsEndpoint.freePort();
        Path socket = root.resolve("run/joulegov/joulegov.sock");
        CompletableFuture<CliRun> govern = CompletableFuture.supplyAsync(() -> CliRun.of("govern", "--root", root.toString(),
                "--model", "resnet18", "--slowdown", "1.3", "--allow-virtual-profiles", "--metrics-port", Integer.toString(port),
                "--duration", "3"));
        Await.until(() -> Files.exists(socket), "the daemon makes its socket");
        assertTrue(ask(socket, "{\"op\":\"report\",\"model\":\"resnet18\",\"latenciesMs\":[5,6,1000]}").startsWith("{\"ok\":true"));
        // the report is counted before its reply; the energy once the power sampler has read the rails
        String[] scraped = {""};
        Await.until(() -> joules(scraped[0] = MetricsEndpoint.scrapeOnceServed(port)) > 0, "the board's energy is counted");
        String body = scraped[0];
        for (String line : body.split("\n")) {
            assertTrue(EXPOSITION.matcher(line).matches(), "not Prometheus text format: " + line);
        }
        for (String expected : List.of("joulegov_cpu_frequency_hertz{policy=\"policy0\"}", "joulegov_gpu_frequency_hertz ",
                "joulegov_target_gpu_frequency_hertz ", "joulegov_power_watts{rail=\"POM_5V_IN\"}", "joulegov_board_power_watts ",
                "joulegov_energy_joules_total ", "joulegov_temperature_celsius{zone=",
                "joulegov_inference_latency_seconds{model=\"resnet18\",quantile=\"0.95\"}",
                "joulegov_inference_latency_seconds_count{model=\"resnet18\"} 3",
                "joulegov_deadline_misses_total{model=\"resnet18\"} 1.0", "joulegov_operating_point_switches_total ",
                "joulegov_throttled ", "joulegov_sensor_failures_total{rail=\"POM_5V_IN\"} 0.0",
                "joulegov_latency_budget_seconds{model=\"resnet18\"} ", "joulegov_mix_predicted_power_watts NaN")) {
            assertTrue(body.contains(expected), expected + " missing from\n" + body);
        }
        // the Grafana dashboard queries nothing the daemon does not serve
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "grafana", "joulegov.json").toFile());
        java.util.regex.Matcher names = java.util.regex.Pattern.compile("joulegov_[a-z_]+").matcher(
                dashboard.findValuesAsText("expr").toString());
        int queried = 0;
        while (names.find()) {
            String name = names.group();
            assertTrue(body.lines().anyMatch(l -> l.startsWith(name + "{") || l.startsWith(name + " ")),
                    "the dashboard queries " + name + ", which /metrics does not serve");
            queried++;
        }
        assertTrue(queried >= 15, "the dashboard's panels query the metrics: " + queried);
        CliRun run = govern.get(20, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
    }

    /** The energy counter in a scrape; 0 when it is not there. */
    private static double joules(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("joulegov_energy_joules_total ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .findFirst().orElse(0);
    }

    /**
     * nvpmodel- and jetson_clocks-like writes while governing: the first is noticed and the daemon re-asserts within
     * the cap it left; a second within the minute makes it back off instead of fighting; stopping still restores.
     */
    @Test
    void anotherWriterIsNoticedAndNeverFought() throws Exception {
        int port = MetricsEndpoint.freePort();
        CompletableFuture<CliRun> govern = CompletableFuture.supplyAsync(() -> CliRun.of("govern", "--root", root.toString(),
                "--model", "resnet18", "--slowdown", "1.3", "--allow-virtual-profiles", "--metrics-port", Integer.toString(port),
                "--duration", "9"));
        String gpu = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";
        // without traffic the daemon moves to its idle setting, the profile's lowest clocks, at its first tick; it
        // stays there (min_freq is the lowest already: max_freq shows the pin)
        String lowest = read(gpu + "available_frequencies").split(" ")[0];
        Await.until(() -> read(gpu + "max_freq").equals(lowest), "the daemon holds its idle setting");
        // the tick that wrote it then reads back what it wrote, as what it expects to find: a write of ours before
        // that read would pass for the daemon's own, so let that tick end
        Thread.sleep(GovernorLoop.TICK.toMillis());
        String pinned = read(gpu + "max_freq");
        assertEquals(pinned, read(gpu + "min_freq"), "the daemon pinned the GPU");
        // nvpmodel-like: a lower cap, above the pin
        Files.writeString(root.resolve(gpu + "max_freq"), "844800000\n");
        Await.equal(pinned, () -> read(gpu + "max_freq"), "re-asserted within the new cap");
        Thread.sleep(GovernorLoop.TICK.toMillis()); // as above: the tick that re-asserted reads back what it wrote
        assertTrue(MetricsEndpoint.scrape(port).contains("joulegov_other_writer_events_total 1.0"));
        // jetson_clocks-like, within the minute: everything at the top
        Files.writeString(root.resolve(gpu + "min_freq"), "921600000\n");
        Files.writeString(root.resolve(gpu + "max_freq"), "921600000\n");
        Await.until(() -> MetricsEndpoint.scrape(port).contains("joulegov_other_writer_events_total 2.0"),
                "the daemon notices the second writer");
        // backing off is writing nothing, so a fixed time is the point: a daemon that fought would re-pin in the very
        // tick that noticed; one more tick shows it did not
        Thread.sleep(GovernorLoop.TICK.toMillis());
        assertEquals("921600000", read(gpu + "min_freq"), "backed off: the other writer's setting stands");
        assertEquals("921600000", read(gpu + "max_freq"));
        assertTrue(MetricsEndpoint.scrape(port).contains("joulegov_other_writer_events_total 2.0"));
        CliRun run = govern.get(20, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
        Await.equal(knobsBefore, this::knobs, "stopping gives back what was there before joulegov");
    }

    @Test
    void aBadConfigurationIsOneLineAndTouchesNothing() throws Exception {
        Path conf = Files.writeString(tmp.resolve("joulegov.conf"), "# test\nsocket = /tmp/x.sock\nsokcet = /tmp/y\n");
        CliRun run = CliRun.of("govern", "--root", root.toString(), "--config", conf.toString(), "--duration", "1");
        assertEquals(2, run.exitCode());
        assertTrue(run.oneLineError(), run.err());
        assertTrue(run.err().contains("line 3: unknown key 'sokcet'"), run.err());
        assertEquals(knobsBefore, knobs());
    }

    @Test
    void theConfigurationNamesTheModelsAndTheOptionsWin() throws Exception {
        Path conf = Files.writeString(tmp.resolve("joulegov.conf"), String.join("\n",
                "metrics-port = 0", "allow-virtual-profiles = true", "model = resnet18 slowdown=1.3 percentile=p99",
                "socket = " + tmp.resolve("conf.sock"), ""));
        CliRun run = CliRun.of("govern", "--root", root.toString(), "--config", conf.toString(),
                "--socket", tmp.resolve("cli.sock").toString(), "--duration", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("1 model(s) at CPU"), run.out());
        assertTrue(run.out().contains("control socket " + tmp.resolve("cli.sock")), run.out());
        assertFalse(run.out().contains("metrics on"), "metrics-port = 0 serves none");
    }
}
