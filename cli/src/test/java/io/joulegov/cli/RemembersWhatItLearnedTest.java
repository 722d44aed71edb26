package io.joulegov.cli;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.workload.SimulatedWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The daemon, on a virtual board's clock, governs unit 3 of the Nano with unit 0's profile, and writes what it learned
 * back into that profile: within a minute while it runs, and on stop. With no profile at all, it learns one and files
 * it in the models-cache.
 */
class RemembersWhatItLearnedTest {

    @TempDir
    Path tmp;

    private static Path onlyProfile(Path cache) throws Exception {
        try (Stream<Path> files = Files.walk(cache)) {
            List<Path> json = files.filter(f -> f.toString().endsWith(".json")).toList();
            assertEquals(1, json.size(), json.toString());
            return json.get(0);
        }
    }

    private static long learned(ProfileTable t) {
        return t.rows().stream().filter(m -> m.source() == Measurement.Source.LEARNED).count();
    }

    /** Runs resnet18 back to back under the daemon for {@code seconds} of board time. */
    private static void govern(VirtualJetson jetson, GovernDaemon daemon, double seconds) throws Exception {
        daemon.register("resnet18", null, 1, new Budget.Slowdown(1.4), Percentile.P99);
        try (SimulatedWorkload w = new SimulatedWorkload(jetson.board(), "resnet18", jetson.clock())) {
            long end = jetson.clock().nanoTime() + Math.round(seconds * 1e9);
            while (jetson.clock().nanoTime() < end) {
                daemon.begin("resnet18");
                long t0 = jetson.clock().nanoTime();
                w.runOnce();
                daemon.report("resnet18", List.of((jetson.clock().nanoTime() - t0) / 1e6), List.of());
            }
        }
    }

    @Test
    void whatTheDaemonLearnedIsInTheModelsCacheAfterAMinuteAndOnStop() throws Exception {
        Path cache = tmp.resolve("cache");
        VirtualProfile.resnet18Into(cache);
        Path file = onlyProfile(cache);
        ProfileTable before = ProfileStore.read(file);
        assertEquals(0, learned(before));
        try (VirtualJetson jetson = VirtualJetson.open("nano", 3, 5)) {
            SysRoot root = SysRoot.of(jetson.root());
            GovernDaemon daemon = GovernDaemon.open(root, GovernDaemon.Options.of(RestoreJournal.defaultFile(root),
                    new ProfileStore(cache), true), jetson.clock());
            daemon.start(null);
            govern(jetson, daemon, 65);
            // written within the first minute of board time, by the daemon's store thread (in real time)
            Await.until(() -> learned(ProfileStore.read(file)) >= 1, "learned rows written within the first minute");
            govern(jetson, daemon, 20);
            daemon.close();
        }
        ProfileTable after = ProfileStore.read(file);
        assertEquals(before.rows().size(), after.rows().size(), "every point still there, once");
        assertEquals(before.key(), after.key());
        assertTrue(learned(after) >= learned(ProfileStore.read(file)) && learned(after) >= 2, "learned " + learned(after));
        for (Measurement m : after.rows()) {
            if (m.source() == Measurement.Source.LEARNED) {
                Measurement was = before.at(m.point()).orElseThrow();
                assertEquals(was.meanMs(), m.meanMs(), "latencies stay the profile's");
                assertTrue(m.inferences() > 0, "a learned row says how many inferences it rests on");
                assertTrue(Math.abs(m.energyJ() / was.energyJ() - 1) < 0.25, m + " vs " + was);
            }
        }
        CliRun show = CliRun.of("show", file.toString());
        assertEquals(0, show.exitCode(), show.err());
        assertTrue(show.out().contains(learned(after) + " of them learned on the board by the governor"), show.out());
    }

    @Test
    void aModelWithNoProfileIsLearnedFromTheFastestPointAndFiledInTheModelsCache() throws Exception {
        Path cache = tmp.resolve("cache");
        OperatingPoint fastest;
        OperatingPoint second;
        try (VirtualJetson jetson = VirtualJetson.open("nano", 3, 5)) {
            SysRoot root = SysRoot.of(jetson.root());
            GovernDaemon daemon = GovernDaemon.open(root, new GovernDaemon.Options(RestoreJournal.defaultFile(root),
                    new ProfileStore(cache), true, PowerSampler.DEFAULT_PERIOD, null, true), jetson.clock());
            daemon.start(null);
            fastest = daemon.register("resnet18", null, 1, new Budget.Slowdown(1.4), Percentile.P99);
            Board board = BoardDiscovery.discover(root);
            List<Long> cpus = board.cpuPolicies().get(0).frequenciesKHz();
            List<Long> gpus = board.gpu().orElseThrow().frequenciesHz();
            List<Long> emcs = board.emc().orElseThrow().ratesHz(); // a Nano can lock its EMC: a third axis to learn
            assertEquals(new OperatingPoint(cpus.get(cpus.size() - 1), gpus.get(gpus.size() - 1), emcs.get(emcs.size() - 1)),
                    fastest);
            govern(jetson, daemon, 90);
            daemon.close();
            Path file = cache.resolve("jetson-nano/resnet18-b1-unhashed.json");
            ProfileTable learned = ProfileStore.read(file);
            assertEquals(ProfileKey.VIRTUAL, learned.key().source(), "learned on a virtual board, filed as virtual");
            assertEquals(cpus.size() * gpus.size() * emcs.size(), learned.rows().size(), "the whole grid, measured or predicted");
            assertTrue(learned.rows().stream().anyMatch(m -> !m.predicted() && m.point().emcHz() < emcs.get(emcs.size() - 1)),
                    "the EMC was walked too");
            assertTrue(learned(learned) >= 6, "learned " + learned(learned));

            GovernDaemon again = GovernDaemon.open(root, GovernDaemon.Options.of(RestoreJournal.defaultFile(root),
                    new ProfileStore(cache), true), jetson.clock());
            second = again.register("resnet18", null, 1, new Budget.Slowdown(1.4), Percentile.P99);
            again.close();
        }
        assertNotEquals(fastest, second, "the next start begins from what was learned, not from the fastest point");
    }
}
