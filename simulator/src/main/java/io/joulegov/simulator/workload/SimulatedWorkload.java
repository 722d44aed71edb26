package io.joulegov.simulator.workload;

import io.joulegov.device.clock.Clock;
import io.joulegov.profiler.workload.Workload;
import io.joulegov.profiler.workload.WorkloadInfo;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.WorkloadModel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** A workload that runs on a virtual board: each inference takes as long as the board's model says, on its clock. */
public final class SimulatedWorkload implements Workload {

    private final VirtualBoard board;
    private final WorkloadModel model;
    private final Clock clock;
    private final WorkloadInfo info;

    public SimulatedWorkload(VirtualBoard board, String name, Clock clock) {
        this.board = board;
        this.model = board.spec().workload(name);
        this.clock = clock;
        this.info = new WorkloadInfo(model.name(), hash(board.spec().name() + "/" + model),
                (int) model.inputShape()[0], Arrays.stream(model.inputShape()).boxed().toList(), "simulated", 1, 1);
    }

    @Override
    public WorkloadInfo info() {
        return info;
    }

    @Override
    public void runOnce() throws InterruptedException {
        long start = clock.nanoTime();
        clock.sleepUntil(start + board.beginInference(model, start));
    }

    @Override
    public void close() {
        // the board outlives its workloads
    }

    /** The hash of a simulated model is that of its parameters: a changed model gets a new profile. */
    private static String hash(String spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spec.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
