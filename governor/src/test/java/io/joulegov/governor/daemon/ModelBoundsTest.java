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

/** An unprivileged client cannot register models without end: 16 per connection, 64 in all. */
class ModelBoundsTest {

    @TempDir
    Path tmp;

    private static ProfileTable profile(String model) {
        List<Measurement> rows = List.of(
                Measurement.ofMean(OperatingPoint.of(710400L, 460800000L), 40, 0.10),
                Measurement.ofMean(OperatingPoint.of(1479000L, 921600000L), 20, 0.16));
        return new ProfileTable(new ProfileKey("jetson-nano", null, null, null, List.of(), List.of(), List.of(), model,
                "00000000", 1, List.of(), "test", 1, 1, 100, 3, 100, ProfileKey.MEASURED), rows);
    }

    /** "ok", or the daemon's reason for refusing. */
    private static String register(ControlClient c, String model) throws Exception {
        try {
            c.exchange("{\"op\":\"register\",\"model\":\"" + model + "\",\"slowdown\":1.5,\"percentile\":\"mean\"}");
            return "ok";
        } catch (ControlClient.RefusedException e) {
            return e.getMessage();
        }
    }

    @Test
    void sixteenModelsPerConnectionAndSixtyFourInAll() throws Exception {
        SysRoot root = SysRoot.of(FakeBoards.lay(FakeBoards.Layout.NANO_JP4, tmp.resolve("nano")));
        ProfileStore store = new ProfileStore(tmp.resolve("cache"));
        for (int i = 0; i < 70; i++) {
            store.save(profile("m" + i));
        }
        Path socket = tmp.resolve("joulegov.sock");
        try (GovernDaemon daemon = GovernDaemon.open(root, GovernDaemon.Options.of(RestoreJournal.defaultFile(root), store, false),
                Clock.system())) {
            daemon.start(socket);
            int next = 0;
            for (int connection = 0; connection < 4; connection++) {
                try (ControlClient c = ControlClient.connect(socket, Duration.ofSeconds(2))) {
                    for (int i = 0; i < 16; i++) {
                        assertEquals("ok", register(c, "m" + next++));
                    }
                    assertEquals("at most 16 models per connection", register(c, "m" + next));
                    assertEquals("ok", register(c, "m" + (next - 1)), "registering a model again is no new model");
                }
            }
            try (ControlClient c = ControlClient.connect(socket, Duration.ofSeconds(2))) {
                assertEquals("at most 64 models are registered at once", register(c, "m64"));
                assertEquals("ok", register(c, "m0"), "one already registered may register again");
                c.exchange("{\"op\":\"unregister\",\"model\":\"m1\"}");
                assertEquals("ok", register(c, "m65"), "room again once one is gone");
                JsonNode status = c.exchange("{\"op\":\"status\"}");
                assertEquals(64, status.path("models").size());
                assertTrue(status.path("held").isObject());
            }
        }
    }
}
