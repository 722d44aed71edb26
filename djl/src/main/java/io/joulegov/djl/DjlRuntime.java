package io.joulegov.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.joulegov.device.DeviceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The PyTorch engine, offline and with fixed thread counts. Both must be settled before the engine loads: the native
 * library comes from the class path (never downloaded), and the intra- and inter-op thread counts are recorded in
 * every profile (1 and 1 unless the system properties {@code ai.djl.pytorch.num_threads} and
 * {@code ai.djl.pytorch.num_interop_threads} say otherwise), since they change latency by up to 2x.
 */
public final class DjlRuntime {

    static final String ENGINE = "PyTorch";
    private static final String INTRA = "ai.djl.pytorch.num_threads";
    private static final String INTER = "ai.djl.pytorch.num_interop_threads";

    private DjlRuntime() {
    }

    /**
     * The engine, loaded on first use.
     *
     * @throws DeviceException when its native library cannot load here (one line: the glibc found, what to do)
     */
    public static synchronized Engine engine() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty(INTRA, System.getProperty(INTRA, "1"));
        System.setProperty(INTER, System.getProperty(INTER, "1"));
        try {
            return Engine.getEngine(ENGINE);
        } catch (RuntimeException | LinkageError e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new DeviceException("DJL's PyTorch engine cannot load its native library on this host (glibc " + glibc()
                    + "; PyTorch's aarch64 build needs 2.32 or newer, i.e. JetPack 6): run inference in your own application "
                    + "with joulegov's client (clients/python), profile it with 'joulegov profile --attach' and let the daemon "
                    + "govern it (" + why + ")");
        }
    }

    /**
     * Where models run: {@code "cpu"}, {@code "gpu"}, or null for the GPU when the engine finds one, else the CPU.
     *
     * @throws DeviceException when the GPU is asked for and the engine finds none
     */
    public static Device device(String requested) {
        int gpus = engine().getGpuCount();
        if ("gpu".equals(requested) && gpus == 0) {
            throw new DeviceException("--device gpu: DJL's PyTorch engine finds no CUDA GPU on this host (DJL's aarch64 "
                    + "PyTorch is CPU-only; on a Jetson, run GPU inference in your own application and let the daemon govern "
                    + "and learn it: clients/python)");
        }
        return "cpu".equals(requested) || gpus == 0 ? Device.cpu() : Device.gpu();
    }

    /** The C library's version, for the message above ("unknown" when it cannot be told). */
    private static String glibc() {
        try {
            Process p = new ProcessBuilder("getconf", "GNU_LIBC_VERSION").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 && !out.isEmpty() ? out.replaceFirst("^glibc\\s*", "") : "unknown";
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }

    static int intraOpThreads() {
        return Integer.parseInt(System.getProperty(INTRA));
    }

    static int interOpThreads() {
        return Integer.parseInt(System.getProperty(INTER));
    }

    /** "djl-0.36.0/PyTorch-2.7.1/cpu", for a profile's key: the engine and the device it ran on. */
    static String describe(Device device) {
        return "djl-" + Engine.getDjlVersion() + "/" + ENGINE + "-" + engine().getVersion() + "/" + device.getDeviceType();
    }
}
