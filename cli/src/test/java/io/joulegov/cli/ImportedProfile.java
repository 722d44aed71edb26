package io.joulegov.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A resnet18 profile for a Nano as a user would bring one: measured elsewhere, imported from CSV into a cache. */
final class ImportedProfile {

    private ImportedProfile() {
    }

    static void resnet18Into(Path cache, Path scratch) throws Exception {
        Path virtual = scratch.resolve("virtual.json");
        assertEquals(0, CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "resnet18", "--grid", "sparse", "--inferences", "100",
                "--reruns", "3", "--out", virtual.toString()).exitCode());
        Path csv = Files.writeString(scratch.resolve("resnet18.csv"), CliRun.of("show", virtual.toString(), "--csv").out());
        CliRun imported = CliRun.of("import", "--csv", csv.toString(), "--board", "jetson-nano", "--model", "resnet18",
                "--cache", cache.toString());
        assertEquals(0, imported.exitCode(), imported.err());
    }
}
