package io.joulegov.governor.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import io.joulegov.client.ControlClient;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.RestoreJournal;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.profiler.store.ProfileStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A report's reply says how soon the daemon wants the next: soon while it learns a model from nothing (each step of
 * its walk waits for latencies), and nothing (the client's own pace) for a model it governs from a profile.
 */
class ReportPaceTest {

    @TempDir
    Path tmp;

    @Test
    void aModelLearnedFromNothingIsAskedForReportsWithin10MsAProfiledOneIsLeftToItsClientsPace() throws Exception {
        SysRoot root = SysRoot.of(FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano")));
        ProfileStore store = new ProfileStore(tmp.resolve("cache"));
        store.save(new ProfileTable(new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(),
                "known", "00000000", 1, List.of(), "test", 1, 1, 100, 3, 100, ProfileKey.MEASURED), List.of(
                Measurement.ofMean(OperatingPoint.of(710400L, 460800000L), 40, 0.10),
                Measurement.ofMean(OperatingPoint.of(1479000L, 921600000L), 20, 0.16))));
        Path socket = tmp.resolve("joulegov.sock");
        try (GovernDaemon daemon = GovernDaemon.open(root, GovernDaemon.Options.of(RestoreJournal.defaultFile(root), store, false),
                Clock.system());
             ControlClient c = ControlClient.connect(socket(daemon, socket), Duration.ofSeconds(5))) {
            for (String model : List.of("known", "unknown")) {
                c.exchange("{\"op\":\"register\",\"model\":\"" + model + "\",\"slowdown\":1.5,\"percentile\":\"p95\"}");
            }
            JsonNode learning = c.exchange("{\"op\":\"report\",\"model\":\"unknown\",\"latenciesMs\":[20.0,21.0]}");
            JsonNode governed = c.exchange("{\"op\":\"report\",\"model\":\"known\",\"latenciesMs\":[20.0,21.0]}");
            assertEquals(10, learning.path("reportWithinMs").asLong(), learning.toString());
            assertTrue(governed.path("reportWithinMs").isMissingNode(), governed.toString());
            assertEquals("{\"ok\":true}", governed.toString());
        }
    }

    private static Path socket(GovernDaemon daemon, Path socket) throws Exception {
        daemon.start(socket);
        return socket;
    }
}
