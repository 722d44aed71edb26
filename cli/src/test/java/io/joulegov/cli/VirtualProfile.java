package io.joulegov.cli;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Quick sparse profiles of the virtual Nano, into a models-cache: what the process tests govern with. */
final class VirtualProfile {

    private VirtualProfile() {
    }

    static void resnet18Into(Path cache) {
        into(cache, "resnet18");
    }

    /** A quick sparse profile of {@code model} on the virtual Nano, over CPU x GPU. */
    static void into(Path cache, String model) {
        CliRun profiled = CliRun.of("profile", "--no-emc", "--virtual", "nano", "--model", model, "--grid", "sparse",
                "--inferences", "100", "--reruns", "3", "--cache", cache.toString());
        assertEquals(0, profiled.exitCode(), profiled.err());
    }
}
