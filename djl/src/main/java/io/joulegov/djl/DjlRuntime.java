package io.joulegov.djl;

import ai.djl.engine.Engine;

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

    public static synchronized Engine engine() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty(INTRA, System.getProperty(INTRA, "1"));
        System.setProperty(INTER, System.getProperty(INTER, "1"));
        return Engine.getEngine(ENGINE);
    }

    static int intraOpThreads() {
        return Integer.parseInt(System.getProperty(INTRA));
    }

    static int interOpThreads() {
        return Integer.parseInt(System.getProperty(INTER));
    }

    /** "djl-0.36.0/PyTorch-2.7.1", for a profile's key. */
    static String describe() {
        return "djl-" + Engine.getDjlVersion() + "/" + ENGINE + "-" + engine().getVersion();
    }
}
