package io.joulegov.profiler.workload;

import java.util.List;

/**
 * What a workload is, as recorded in a profile's key: model name and the hash of its weights (or of its spec),
 * batch size, input shape, engine and thread settings.
 */
public record WorkloadInfo(String model, String hash, int batch, List<Long> inputShape, String engine,
                           int intraOpThreads, int interOpThreads) {

    public WorkloadInfo {
        inputShape = List.copyOf(inputShape);
    }
}
