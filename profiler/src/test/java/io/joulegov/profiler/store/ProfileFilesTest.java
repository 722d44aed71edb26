package io.joulegov.profiler.store;

import io.joulegov.device.DeviceException;
import io.joulegov.device.MalformedFileException;
import io.joulegov.device.RefusedException;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileFilesTest {

    @TempDir
    Path tmp;

    static ProfileTable table() {
        ProfileKey key = new ProfileKey("jetson-nano", "32.7.1", 0, null, List.of(102000L, 1479000L), List.of(76800000L),
                List.of(), "resnet18", "3f2a9c0d11aa", 1, List.of(1L, 3L, 224L, 224L), "PyTorch", 1, 1, 3200, 10, 100,
                ProfileKey.VIRTUAL);
        return new ProfileTable(key, List.of(
                new Measurement(OperatingPoint.of(102000, 76800000L), 300.5, 299, 310, 320.25, 1.5, 5, 0.01, 32000, 41.5,
                        Measurement.Source.MEASURED, 1.75),
                new Measurement(new OperatingPoint(1479000, 76800000L, 1600000000L), 100, 99, 104, 108, 0.6, 6, 0.02, 32000, null, Measurement.Source.PREDICTED)));
    }

    @Test
    void aProfileSurvivesTheRoundTripAndLandsWhereTheKeySays() {
        ProfileStore store = new ProfileStore(tmp);
        Path path = store.save(table());
        assertEquals(tmp.resolve("jetson-nano/resnet18-b1-3f2a9c0d.json"), path);
        assertEquals(table(), ProfileStore.read(path));
    }

    private static ProfileTable withModelAndHash(String model, String hash) {
        ProfileKey k = table().key();
        return new ProfileTable(new ProfileKey(k.board(), k.l4t(), k.powerMode(), k.serial(), k.cpuGridKHz(), k.gpuGridHz(), k.emcGridHz(),
                model, hash, k.batch(), k.inputShape(), k.engine(), k.intraOpThreads(), k.interOpThreads(), k.inferences(),
                k.reruns(), k.samplingMs(), k.source()), table().rows());
    }

    private Path writeAt(ProfileStore store, ProfileTable t, String writtenAt) {
        Path path = store.pathFor(t.key());
        io.joulegov.device.sysfs.AtomicFiles.write(path, ProfileJson.encode(t, writtenAt));
        return path;
    }

    @Test
    void theLookupFindsTheNewestProfileOfExactlyThatModel() {
        ProfileStore store = new ProfileStore(tmp);
        // "ffff..." sorts last but was written first: the newest by its time wins, not the largest hash
        writeAt(store, withModelAndHash("resnet18", "ffff0000aa"), "2026-01-01T00:00:00Z");
        Path newer = writeAt(store, withModelAndHash("resnet18", "11110000bb"), "2026-06-01T00:00:00Z");
        assertEquals(newer, store.find("jetson-nano", "resnet18", 1, "").orElseThrow().file());
        assertEquals("ffff0000aa", store.find("jetson-nano", "resnet18", 1, "ffff").orElseThrow().table().key().modelHash());
        assertTrue(store.find("jetson-nano", "resnet18", 2, "").isEmpty(), "another batch");
        assertTrue(store.find("jetson-xavier-nx", "resnet18", 1, "").isEmpty(), "another board");
        // a profile of another board kind filed under this one is refused in words, not passed over
        Path misfiled = tmp.resolve("jetson-xavier-nx/resnet18-b1-ffff0000.json");
        io.joulegov.device.sysfs.AtomicFiles.write(misfiled, ProfileJson.encode(withModelAndHash("resnet18", "ffff0000aa"), "x"));
        RefusedException e = assertThrows(RefusedException.class,
                () -> store.find("jetson-xavier-nx", "resnet18", 1, ""));
        assertTrue(e.getMessage().endsWith("was made on a jetson-nano, not on this jetson-xavier-nx"), e.getMessage());
        // a name with characters a file name cannot keep is still found, and never confused with its look-alike
        Path plus = writeAt(store, withModelAndHash("a+b", "22220000cc"), "2026-01-01T00:00:00Z");
        writeAt(store, withModelAndHash("a-b", "33330000dd"), "2026-06-01T00:00:00Z");
        assertEquals(plus, store.find("jetson-nano", "a+b", 1, "").orElseThrow().file());
        assertEquals("a-b", store.find("jetson-nano", "a-b", 1, "").orElseThrow().table().key().model());
    }

    private void assertMalformed(UnaryOperator<String> edit, String expected) throws IOException {
        Path f = tmp.resolve("p.json");
        Files.write(f, ProfileJson.encode(table(), "now"));
        Files.writeString(f, edit.apply(Files.readString(f)));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> ProfileStore.read(f));
        assertTrue(e.getMessage().startsWith("malformed profile " + f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, "one line");
    }

    /** A profile written before rows said where they come from (schema 1: "predicted": true or false). */
    @Test
    void aSchemaOneProfileIsStillRead() {
        String json = new String(ProfileJson.encode(table(), "2026-11-26T08:00:00Z"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"schema\" : 2", "\"schema\" : 1")
                .replace("\"source\" : \"measured\"", "\"predicted\" : false")
                .replace("\"source\" : \"predicted\"", "\"predicted\" : true");
        assertEquals(table(), ProfileJson.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), "old.json"));
    }

    @Test
    void malformedProfilesAreRefusedInOneLine() throws IOException {
        assertMalformed(s -> s.substring(0, s.length() / 2), "Unexpected end-of-input");
        assertMalformed(s -> s.replace("\"schema\" : 2", "\"schema\" : 3"), "schema 3 is not a supported schema (1 to 2)");
        assertMalformed(s -> s.replace("\"schema\" : 2,", ""), "no schema");
        assertMalformed(s -> s.replace("\"source\" : \"measured\"", "\"source\" : \"dreamt\""), "a row's source is 'dreamt'");
        assertMalformed(s -> s.replace("300.5", "NaN"), "Non-standard token 'NaN'");
        assertMalformed(s -> s.replace("300.5", "1e999"), "mean_ms is Infinity");
        assertMalformed(s -> s.replace("\"energyJ\" : 0.6", "\"energyJ\" : -0.6"), "energy_j is -0.6");
        assertMalformed(s -> s.replace("\"idleW\" : 1.75", "\"idleW\" : -1.75"), "idle_w is -1.75");
        assertMalformed(s -> s.replace("\"source\" : \"virtual\"", "\"source\" : \"guessed\""), "unknown source 'guessed'");
        assertMalformed(s -> s.replace("\"cpuKHz\" : 1479000", "\"cpuKHz\" : 102000").replace("\"emcHz\" : 1600000000", "\"emcHz\" : null"),
                "two rows for");
        assertMalformed(s -> "[1, 2, 3]", "Cannot deserialize");
        assertMalformed(s -> "", "No content");
    }

    @Test
    void aProfileOfAnotherBoardIsRefused() {
        Path path = new ProfileStore(tmp).save(table());
        assertEquals(table(), ProfileStore.readFor(path, "jetson-nano"));
        RefusedException e = assertThrows(RefusedException.class, () -> ProfileStore.readFor(path, "jetson-xavier-nx"));
        assertEquals("profile " + path + " was made on a jetson-nano, not on this jetson-xavier-nx", e.getMessage());
    }

    @Test
    void aLatencyOnlyProfileIsRefusedWhereEnergyIsNeeded() {
        ProfileTable withEnergy = table();
        assertEquals(withEnergy, ProfileStore.requireEnergy(withEnergy, Path.of("p.json")));
        Measurement m = withEnergy.rows().get(0);
        ProfileTable latencyOnly = new ProfileTable(withEnergy.key(), List.of(new Measurement(m.point(), m.meanMs(), m.p50Ms(),
                m.p95Ms(), m.p99Ms(), Double.NaN, Double.NaN, m.cov(), m.inferences(), null, Measurement.Source.MEASURED)));
        RefusedException e = assertThrows(RefusedException.class, () -> ProfileStore.requireEnergy(latencyOnly, Path.of("p.json")));
        assertTrue(e.getMessage().startsWith("profile p.json has latency only"), e.getMessage());
    }

    @Test
    void hugeAndMissingFilesAreRefusedBeforeReading() throws IOException {
        Path huge = tmp.resolve("huge.json");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(ProfileStore.MAX_BYTES + 1);
        }
        assertTrue(assertThrows(MalformedFileException.class, () -> ProfileStore.read(huge)).getMessage().contains("more than any profile"));
        assertEquals("no profile at " + tmp.resolve("none.json"),
                assertThrows(DeviceException.class, () -> ProfileStore.read(tmp.resolve("none.json"))).getMessage());
    }

    @Test
    void csvRoundTripsAndFillsWhatImportMayLeaveOut() {
        String csv = ProfileCsv.format(table().rows());
        assertTrue(csv.startsWith(ProfileCsv.HEADER + "\n102000,76800000,,300.5,299,310,320.25,1.5,5,0.01,1.75\n"), csv);
        List<Measurement> back = ProfileCsv.parse(csv, "t.csv");
        assertEquals(table().rows().get(0).point(), back.get(0).point());
        assertEquals(320.25, back.get(0).p99Ms());
        assertEquals(1.75, back.get(0).idleW(), "idle power survives the round trip");
        assertTrue(Double.isNaN(back.get(1).idleW()), "and stays unknown where it was");
        List<Measurement> sparse = ProfileCsv.parse("gpu_hz,cpu_khz,mean_ms,power_w\n76800000,102000,200,5\n", "s.csv");
        Measurement m = sparse.get(0);
        assertEquals(1.0, m.energyJ(), 1e-12, "energy = power x mean latency");
        assertEquals(200, m.p99Ms(), "percentiles default to the mean");
        assertEquals(null, m.point().emcHz());
        assertTrue(Double.isNaN(m.idleW()), "idle power unknown");
    }

    @Test
    void badCsvSaysWhichLineAndWhy() {
        assertCsv("", "t.csv line 1: empty file");
        assertCsv("cpu_khz,gpu_hz,mean_ms,watts\n", "t.csv line 1: unknown column 'watts'");
        assertCsv("cpu_khz,gpu_hz,mean_ms\n1,2,3\n", "t.csv line 1: one of energy_j or power_w is needed");
        assertCsv("cpu_khz,mean_ms,energy_j\n1,2,3\n", "t.csv line 1: missing column gpu_hz");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n1,2,3,4\n1,2,x,4\n", "t.csv line 3: mean_ms is not a number: 'x'");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n1,2,-3,4\n", "t.csv line 2: mean_ms must be a finite number >= 0, not -3");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n1,2,NaN,4\n", "t.csv line 2: mean_ms must be a finite number >= 0, not NaN");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n1,2,3\n", "t.csv line 2: 3 fields where the header has 4");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n1,2,3,4\n1,2,5,6\n", "t.csv line 3: a second row for");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j,power_w\n1,2,3,,\n", "t.csv line 2: neither energy_j nor power_w is given");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n", "t.csv line 2: no rows after the header");
        assertCsv("cpu_khz,gpu_hz,mean_ms,energy_j\n1.5,2,3,4\n", "t.csv line 2: cpu_khz is not a whole number: '1.5'");
    }

    private static void assertCsv(String text, String expected) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> ProfileCsv.parse(text, "t.csv"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }
}
