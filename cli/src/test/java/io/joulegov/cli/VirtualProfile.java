package io.joulegov.cli;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A quick sparse resnet18 profile of the virtual Nano, into a models-cache: what the process tests govern with. */
final class VirtualProfile {

    private VirtualProfile() {
    }

    static void resnet18Into(Path cache) {
        CliRun profiled = CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", "resnet18", "--grid", "sparse",
                "--inferences", "100", "--reruns", "3", "--cache", cache.toString());
        assertEquals(0, profiled.exitCode(), profiled.err());
    }
}
