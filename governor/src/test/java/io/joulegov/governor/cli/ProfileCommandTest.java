package io.joulegov.governor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.store.ProfileStore;
import org.junit.jupiter.api.Test;
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

    @Test
    void aSparseVirtualProfileMeasuresAtMostATenthAndPredictsTheRest() throws Exception {
        Path out = tmp.resolve("sparse.json");
        CliRun run = CliRun.of("profile", "--virtual", "nano", "--model", "mobilenet-v2", "--grid", "sparse",
                "--inferences", "100", "--reruns", "3", "--out", out.toString(), "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode doc = JSON.readTree(run.out());
        assertEquals(List.of("profile", "gridSize", "pointsMeasured", "deviceSeconds", "wallSeconds"),
                names(doc.fieldNames()));
        assertEquals(180, doc.path("gridSize").asInt());
        assertTrue(doc.path("pointsMeasured").asInt() <= 18);
        ProfileTable t = ProfileStore.read(out);
        assertEquals(180, t.rows().size());
        assertEquals(doc.path("pointsMeasured").asInt(), t.rows().stream().filter(m -> !m.predicted()).count());
        assertEquals("virtual", t.key().source());
        assertEquals("jetson-nano", t.key().board());
        assertFalse(Files.exists(tmp.resolve("sparse.json.partial")), "no checkpoint left behind");
    }

    /** kill -9 in the middle of a sweep; --resume finishes it without measuring a finished point again. */
    @Test
    void resumeAfterKillDashNineRedoesNoFinishedPoint() throws Exception {
        Path out = tmp.resolve("full.json");
        Path partial = tmp.resolve("full.json.partial");
        String[] args = {"profile", "--virtual", "nano", "--model", "bert-tiny", "--grid", "full", "--inferences", "300",
                "--reruns", "3", "--out", out.toString()};
        Process victim = new ProcessBuilder(concat(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), JoulegovCommand.class.getName()), args))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int rowsAtKill = 0;
        while (System.nanoTime() < deadline) {
            if (Files.exists(partial)) {
                rowsAtKill = ProfileStore.read(partial).rows().size();
                if (rowsAtKill >= 20) {
                    break;
                }
            }
            Thread.sleep(20);
        }
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
        assertEquals(2, CliRun.of("profile", "--virtual", "nano", "--model", "vgg19", "--out", tmp.resolve("x").toString()).exitCode());
        assertEquals(2, CliRun.of("profile", "--virtual", "nano", "--model", "alexnet", "--grid", "half").exitCode());
        assertEquals(2, CliRun.of("profile", "--virtual", "nano", "--model", "alexnet", "--sample-ms", "1").exitCode());
        assertEquals(2, CliRun.of("profile", "--virtual", "pi4", "--model", "alexnet").exitCode());
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
