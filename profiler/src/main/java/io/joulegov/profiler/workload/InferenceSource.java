package io.joulegov.profiler.workload;

/**
 * Where the inferences measured at an operating point come from: a {@link Workload} this process runs and times
 * ({@link WorkloadSource}), or another process's stream that reports its latencies ({@code profile --attach}).
 */
public interface InferenceSource {

    /** Called once the board is this process's, before {@link #info()}: an attached stream waits here for its application. */
    default void start() throws Exception {
    }

    /** What runs, for the profile's key. */
    WorkloadInfo info();

    /** Lets {@code n} inferences pass untimed (caches, allocators, JIT, the new clocks). */
    void skip(int n) throws Exception;

    /**
     * The latencies (ms) of the inferences that end from now until {@code n} have: {@code windowEnd} runs the moment
     * the last of them is over (it closes the energy window). An attached stream may return more than {@code n}: every
     * inference that ended inside the window, so that the window's energy is shared by all of them.
     */
    double[] time(int n, Runnable windowEnd) throws Exception;
}
