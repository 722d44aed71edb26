package io.joulegov.profiler.workload;

/**
 * Something the profiler can measure one inference (or one batch) at a time: a DJL model, a TorchScript file, or a
 * simulated workload on a virtual board. The profiler times each {@link #runOnce()} on its clock.
 */
public interface Workload extends AutoCloseable {

    /** What runs, for the profile's key. */
    WorkloadInfo info();

    /** Runs {@code n} inferences whose timings are thrown away (caches, allocators, JIT, clocks). */
    default void warmUp(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            runOnce();
        }
    }

    /** One inference of one batch. */
    void runOnce() throws Exception;

    @Override
    void close();
}
