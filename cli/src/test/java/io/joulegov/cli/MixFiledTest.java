package io.joulegov.cli;

import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.BoardIdentity;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.governor.daemon.GovernDaemon;
import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;
import io.joulegov.profiler.store.MixStore;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.workload.SimulatedWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon governs two models side by side as one mix, and files what it learned of the mix in the models-cache. */
class MixFiledTest {

    @TempDir
    Path tmp;

    @Test
    void twoModelsRunTogetherUnderTheDaemonLeaveTheirMixInTheModelsCache() throws Exception {
        Path cache = tmp.resolve("cache");
        VirtualProfile.into(cache, "resnet18");
        VirtualProfile.into(cache, "mobilenet-v2");
        BoardIdentity id;
        try (VirtualJetson jetson = VirtualJetson.open("nano", 3, 5)) {
            SysRoot root = SysRoot.of(jetson.root());
            id = BoardDiscovery.discover(root).identity();
            GovernDaemon daemon = GovernDaemon.open(root, GovernDaemon.Options.of(RestoreJournal.defaultFile(root),
                    new ProfileStore(cache), true), jetson.clock());
            daemon.start(null);
            List<Thread> threads = new ArrayList<>();
            long end = jetson.clock().nanoTime() + 40_000_000_000L;
            for (String model : List.of("resnet18", "mobilenet-v2")) {
                daemon.register(model, null, 1, new Budget.Slowdown(1.6), Percentile.P99);
                Random arrivals = new Random(model.hashCode());
                threads.add(jetson.clock().newThread(model, () -> {
                    try (SimulatedWorkload w = new SimulatedWorkload(jetson.board(), model, jetson.clock())) {
                        long next = jetson.clock().nanoTime();
                        while ((next += Math.round(-Math.log(1 - arrivals.nextDouble()) / 10 * 1e9)) < end) {
                            jetson.clock().sleepUntil(next);
                            daemon.begin(model);
                            long t0 = jetson.clock().nanoTime();
                            w.runOnce();
                            daemon.report(model, List.of((jetson.clock().nanoTime() - t0) / 1e6), List.of());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            jetson.clock().sleepUntil(end);
            for (Thread t : threads) {
                jetson.clock().join(t, Duration.ofMinutes(2));
            }
            daemon.close();
        }
        MixStore.Loaded filed = new MixStore(cache).load(id.kind(), id.l4t(), id.powerMode());
        assertEquals(List.of(), filed.skipped());
        assertEquals(1, filed.mixes().size(), filed.toString());
        LearnedMix mix = filed.mixes().get(0);
        assertEquals(List.of("mobilenet-v2", "resnet18"), mix.members());
        assertTrue(mix.points().stream().anyMatch(p -> p.windows() >= 3 && Math.abs(p.powerFactor() - 1) < 0.3),
                "its power measured over energy windows, near what the profiles say: " + mix);
        assertTrue(mix.points().stream().anyMatch(p -> p.latencyFactors().keySet().equals(java.util.Set.of("mobilenet-v2",
                "resnet18"))), "both members' latency learned in the mix: " + mix);
    }
}
