package io.joulegov.profiler.store;

import io.joulegov.policies.mix.LearnedMix;
import io.joulegov.policies.profile.OperatingPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MixStoreTest {

    static final LearnedMix MIX = new LearnedMix(List.of("resnet18", "yolov4-tiny"), List.of(
            new LearnedMix.Point(OperatingPoint.of(614_400, 768_000_000), 1.04, 31, Map.of("resnet18", 1.21, "yolov4-tiny", 1.17)),
            new LearnedMix.Point(OperatingPoint.of(921_600, 921_600_000), Double.NaN, 0, Map.of("yolov4-tiny", 1.3))));

    @Test
    void aLearnedMixIsFiledUnderItsBoardAndReadBackForTheSameReleaseAndPowerMode(@TempDir Path cache) {
        MixStore store = new MixStore(cache);
        Path file = store.save("jetson-nano", "32.7.1", 0, MIX);
        assertEquals(cache.resolve("jetson-nano").resolve("mixes"), file.getParent());
        assertTrue(file.getFileName().toString().matches("mix-[0-9a-f]{8}\\.json"), file.toString());
        assertEquals(List.of(MIX), store.load("jetson-nano", "32.7.1", 0).mixes());
        // another power mode's clocks and energies say little of this one's
        assertEquals(List.of(), store.load("jetson-nano", "32.7.1", 1).mixes());
        assertEquals(List.of(), store.load("jetson-xavier-nx", "32.7.1", 0).mixes());
    }

    @Test
    void aMixFileThatCannotBeReadIsSkippedWithOneLineSayingWhyAndTheOthersRead(@TempDir Path cache) throws Exception {
        MixStore store = new MixStore(cache);
        store.save("jetson-nano", "32.7.1", 0, MIX);
        Path mixes = cache.resolve("jetson-nano").resolve("mixes");
        Files.writeString(mixes.resolve("mix-00000000.json"), "{\"schema\": 1, \"board\": \"jetson-nano\", \"members\": [\"b\", \"a\"], \"points\": []}");
        Files.writeString(mixes.resolve("mix-11111111.json"), "{ not json");
        String negative = new String(MixStore.encode("jetson-nano", "32.7.1", 0, MIX, "now")).replace("1.04", "-1.04");
        Files.writeString(mixes.resolve("mix-22222222.json"), negative.replace("yolov4-tiny\" ]", "yolov4-tiny2\" ]"));
        MixStore.Loaded loaded = store.load("jetson-nano", "32.7.1", 0);
        assertEquals(List.of(MIX), loaded.mixes());
        assertEquals(3, loaded.skipped().size(), loaded.skipped().toString());
        for (String why : loaded.skipped()) {
            assertTrue(why.startsWith("malformed mix ") && !why.contains("\n"), why);
        }
    }
}
