package io.joulegov.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.TreeSnapshot;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.store.ProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildProcesses processes = new ChildProcesses();

    /** By default the memory clock is swept as a third axis wherever the board can lock it (a Nano can). */
    @Test
    void aSparseVirtualProfileSweepsTheMemoryClockTooMeasuringAFewPercentAndPredictingTheRest() throws Exception {
        Path out = tmp.resolve("sparse.json");
        CliRun run = CliRun.of("profile", "--virtual", "nano", "--unit", "2", "--model", "mobilenet-v2", "--grid", "sparse",
                "--inferences", "100", "--reruns", "3", "--out", out.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode doc = JSON.readTree(run.out());
        assertEquals(List.of("profile", "gridSize", "pointsMeasured", "deviceSeconds", "wallSeconds", "latencyOnly"),
                names(doc.fieldNames()));
        assertEquals(180 * 7, doc.path("gridSize").asInt(), "15 CPU x 12 GPU clocks x the Nano's 7 EMC rates");
        // 3% of the grid, the points whose choice straddles a budget (1.1x to 1.6x) included
        assertTrue(doc.path("pointsMeasured").asInt() <= 0.03 * 1260, doc.toString());
        ProfileTable t = ProfileStore.read(out);
        assertEquals(1260, t.rows().size());
        assertEquals(7, t.key().emcGridHz().size());
        assertEquals(doc.path("pointsMeasured").asInt(), t.rows().stream().filter(m -> !m.predicted()).count());
        assertEquals("virtual", t.key().source());
        assertEquals("jetson-nano", t.key().board());
        assertEquals("virtual-nano-unit-2", t.key().serial(), "the unit, as a board's serial number");
        assertFalse(Files.exists(tmp.resolve("sparse.json.partial")), "no checkpoint left behind");
    }

    /** kill -9 in the middle of a sweep; --resume finishes it without measuring a finished point again. */
    @Test
    void resumeAfterKillDashNineRedoesNoFinishedPoint() throws Exception {
        Path out = tmp.resolve("full.json");
        Path partial = tmp.resolve("full.json.partial");
        String[] args = {"profile", "--no-emc", "--virtual", "nano", "--model", "bert-tiny", "--grid", "full", "--inferences", "300",
                "--reruns", "3", "--out", out.toString()};
        Process victim = processes.add(JoulegovProcess.start(null, args));
        Await.until(() -> Files.exists(partial) && ProfileStore.read(partial).rows().size() >= 20, "20 points measured");
        victim.destroyForcibly();
        assertTrue(victim.waitFor(10, TimeUnit.SECONDS));
        ProfileTable before = ProfileStore.read(partial);
        assertTrue(before.rows().size() >= 20 && before.rows().size() < 180, "killed mid-sweep at " + before.rows().size());
        assertFalse(Files.exists(out), "no profile is written before the sweep ends");

        CliRun again = CliRun.of(args);
        assertEquals(2, again.exitCode(), "without --resume the waiting checkpoint is not overwritten");
        assertTrue(again.err().contains("add --resume to continue it"), again.err());

        CliRun resumed = CliRun.of(concat(List.of(args), "--resume"));
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("(" + before.rows().size() + " before resuming)"), resumed.out());
        ProfileTable full = ProfileStore.read(out);
        assertEquals(180, full.rows().size());
        assertTrue(full.rows().stream().noneMatch(Measurement::predicted));
        for (Measurement m : before.rows()) {
            assertEquals(m, full.at(m.point()).orElseThrow(), "a finished point is kept as it was measured");
        }
        assertFalse(Files.exists(partial));
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingRuns() {
        assertEquals(2, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "vgg19", "--out", tmp.resolve("x").toString()).exitCode());
        assertEquals(2, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "alexnet", "--grid", "half").exitCode());
        assertEquals(2, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "alexnet", "--sample-ms", "1").exitCode());
        assertEquals(2, CliRun.of("profile", "--no-emc", "--virtual", "pi4", "--model", "alexnet").exitCode());
        assertEquals(2, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--unit", "-1", "--model", "alexnet").exitCode());
        assertEquals(2, CliRun.of("profile", "--unit", "1", "--model", "alexnet").exitCode(), "a unit is of a virtual board");
    }

    /** The issue's check: a host without knobs or sensors gives a latency-only profile from real DJL inference. */
    @Test
    void aHostWithoutKnobsGetsALatencyOnlyProfileOfRealInference() throws Exception {
        Path host = hostWithoutKnobs();
        Path out = tmp.resolve("bert-tiny.json");
        CliRun run = CliRun.of("profile", "--no-emc", "--root", host.toString(), "--model", "bert-tiny", "--inferences", "20",
                "--reruns", "2", "--out", out.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("no CPU frequency knobs (cpufreq) on this host: profiling latency only"), run.err());
        JsonNode doc = JSON.readTree(run.out());
        assertTrue(doc.path("latencyOnly").asBoolean());
        ProfileTable t = ProfileStore.read(out);
        assertEquals(1, t.rows().size());
        Measurement m = t.rows().get(0);
        assertFalse(m.hasEnergy());
        assertEquals(40, m.inferences());
        assertTrue(m.meanMs() > 0.1 && m.p99Ms() >= m.p50Ms(), m.toString());
        assertEquals("measured", t.key().source());
        assertEquals("generic-linux", t.key().board());
        assertTrue(t.key().engine().matches("djl-0\\.36\\.0/PyTorch-[0-9.]+/cpu"), "engine and device: " + t.key().engine());
        assertTrue(t.key().modelHash().matches("sha256:[0-9a-f]{64}"), t.key().modelHash());
        assertEquals(List.of(1L, 128L), t.key().inputShape());

        CliRun show = CliRun.of("show", out.toString());
        assertEquals(0, show.exitCode(), show.err());
        assertTrue(show.out().contains("latency only"), show.out());
        CliRun recommend = CliRun.of("recommend", "--profile", out.toString(), "--slowdown", "1.3");
        assertEquals(2, recommend.exitCode());
        assertTrue(recommend.err().contains("has latency only"), recommend.err());
    }

    /** Issue 15: this x86 VM has no GPU that DJL can use, and --device gpu says so in one line. */
    @Test
    void deviceGpuOnAHostWithoutOneSaysSoInOneLine() throws Exception {
        CliRun run = CliRun.of("profile", "--no-emc", "--root", hostWithoutKnobs().toString(), "--model", "bert-tiny", "--device", "gpu",
                "--inferences", "5", "--reruns", "1", "--out", tmp.resolve("gpu.json").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.oneLineError() && run.err().contains("finds no CUDA GPU on this host"), run.err());
        assertFalse(Files.exists(tmp.resolve("gpu.json")));
        assertEquals(2, CliRun.of("profile", "--model", "bert-tiny", "--device", "tpu").exitCode());
        assertEquals(2, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "bert-tiny", "--device", "cpu").exitCode());
    }

    /**
     * Issue 15: where PyTorch's native library cannot load (on a Jetson: glibc older than 2.32), one line names the
     * glibc found and the way out, and the exit code is 1. Here DJL is pointed at files that are no library.
     */
    @Test
    void anEngineThatCannotLoadItsNativeLibrarySaysWhyInOneLine() throws Exception {
        Path notALibrary = Files.createDirectories(tmp.resolve("not-torch"));
        for (String lib : List.of("libc10.so", "libtorch_cpu.so", "libtorch.so")) {
            Files.writeString(notALibrary.resolve(lib), "not a library\n");
        }
        Path log = tmp.resolve("profile.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), JoulegovCommand.class.getName(), "profile", "--no-emc", "--root",
                hostWithoutKnobs().toString(), "--model", "bert-tiny", "--inferences", "1", "--reruns", "1", "--out",
                tmp.resolve("x.json").toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("PYTORCH_LIBRARY_PATH", notALibrary.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String said = Files.readString(log);
        assertEquals(1, p.exitValue(), said);
        List<String> ours = said.lines().filter(l -> l.startsWith("joulegov:")).toList();
        assertEquals(1, ours.size(), said);
        assertTrue(ours.get(0).matches("joulegov: DJL's PyTorch engine cannot load its native library on this host \\(glibc "
                + "[0-9.]+; .*needs 2\\.32 or newer.*profile --attach.*"), said);
        assertFalse(said.contains("\tat "), "no stack trace: " + said);
        assertFalse(Files.exists(tmp.resolve("x.json")));
    }

    /** On a board with knobs and rails the same command sweeps the grid with real inference. */
    @Test
    void aNanoTreeIsSweptWithRealInference() throws Exception {
        Path root = FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano"));
        var before = TreeSnapshot.withoutSetspeed(root.resolve("sys"));
        Path out = tmp.resolve("nano.json");
        CliRun run = CliRun.of("profile", "--no-emc", "--root", root.toString(), "--model", "bert-tiny", "--grid", "sparse",
                "--inferences", "5", "--reruns", "1", "--out", out.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        ProfileTable t = ProfileStore.read(out);
        assertEquals("jetson-nano", t.key().board());
        assertEquals(FakeBoards.NANO_CPU_KHZ.size() * FakeBoards.NANO_GPU_HZ.size(), t.rows().size());
        assertFalse(t.latencyOnly());
        long measured = t.rows().stream().filter(r -> !r.predicted()).count();
        // as on a virtual board: a tenth of the grid, and at most one point per budget (1.1x to 1.6x) whose choice
        // straddles it; real inference on a board whose clocks change nothing straddles more often
        assertTrue(measured >= 16 && measured <= t.rows().size() / 10 + 6, measured + " measured");
        assertEquals(before, TreeSnapshot.withoutSetspeed(root.resolve("sys")), "every knob is given back");
    }

    @Test
    void badModelsOnAHostAreOneLineErrors() throws Exception {
        Path host = hostWithoutKnobs();
        CliRun unknown = CliRun.of("profile", "--no-emc", "--root", host.toString(), "--model", "vgg19");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("unknown model 'vgg19'"), unknown.err());
        CliRun missing = CliRun.of("profile", "--no-emc", "--root", host.toString(), "--model", tmp.resolve("none.pt").toString(),
                "--input-shape", "1,3,8,8");
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("cannot read the TorchScript file"), missing.err());
        Path garbage = Files.writeString(tmp.resolve("garbage.pt"), "not a model");
        CliRun bad = CliRun.of("profile", "--no-emc", "--root", host.toString(), "--model", garbage.toString(), "--input-shape", "1,3,8,8");
        assertEquals(2, bad.exitCode());
        assertTrue(bad.err().contains("is not a TorchScript model DJL can load"), bad.err());
        CliRun noShape = CliRun.of("profile", "--no-emc", "--root", host.toString(), "--model", garbage.toString());
        assertEquals(2, noShape.exitCode());
        assertTrue(noShape.err().contains("needs --input-shape"), noShape.err());
        assertEquals(1, noShape.err().lines().count(), noShape.err());
    }

    /** A machine's root with CPUs but no cpufreq, GPU, rails or thermal zones (a container, a VM). */
    private Path hostWithoutKnobs() throws java.io.IOException {
        Path host = tmp.resolve("host");
        Files.createDirectories(host.resolve("sys/devices/system/cpu"));
        return host;
    }

    private static String[] concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    private static <T> List<T> names(java.util.Iterator<T> it) {
        List<T> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
