package io.joulegov.profiler.measure;

import io.joulegov.device.RefusedException;
import io.joulegov.device.clock.Clock;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.surrogate.Surrogate;
import io.joulegov.profiler.plan.SparsePlan;
import io.joulegov.profiler.plan.SweepPlan;
import io.joulegov.profiler.store.ProfileStore;
import io.joulegov.profiler.workload.InferenceSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a plan: measures point after point, writing a checkpoint (the partial profile, atomically) after each, so
 * that {@code --resume} after a crash or a kill -9 continues without redoing a finished point. A sparse plan's
 * profile gets predicted rows for the points it did not measure.
 */
public final class Sweep {

    /** Told after every point: how many are measured, how many the plan expects at most, and the last one. */
    @FunctionalInterface
    public interface Progress {
        void measured(int done, int expected, Measurement last);
    }

    /** The profile, how many points were measured in this run and before it, and the board time it took. */
    public record Result(ProfileTable table, int measuredNow, int resumed, long deviceNanos) {
    }

    private final PointMeasurer measurer;
    private final Clock clock;

    public Sweep(PointMeasurer measurer, Clock clock) {
        this.measurer = measurer;
        this.clock = clock;
    }

    public Result run(InferenceSource source, SweepPlan plan, ProfileKey key, Path checkpoint, boolean resume,
                      Progress progress) throws Exception {
        List<Measurement> measured = new ArrayList<>(resume ? resumeFrom(checkpoint, key) : fresh(checkpoint));
        int resumed = measured.size();
        int expected = plan instanceof SparsePlan s ? s.maxPoints() : plan.grid().size();
        long start = clock.nanoTime();
        List<OperatingPoint> next;
        while (!(next = plan.next(measured)).isEmpty()) {
            for (OperatingPoint p : next) {
                measured.add(measurer.measure(source, p));
                ProfileStore.write(new ProfileTable(key, measured), checkpoint);
                progress.measured(measured.size(), Math.max(expected, measured.size()), measured.get(measured.size() - 1));
            }
        }
        List<Measurement> rows = measured.size() < plan.grid().size()
                ? Surrogate.fit(measured).fill(measured, plan.grid()) : measured;
        return new Result(new ProfileTable(key, rows), measured.size() - resumed, resumed, clock.nanoTime() - start);
    }

    private static List<Measurement> fresh(Path checkpoint) {
        if (Files.exists(checkpoint)) {
            throw new RefusedException("an interrupted profile is waiting at " + checkpoint
                    + ": add --resume to continue it, or remove the file to start over");
        }
        return List.of();
    }

    private static List<Measurement> resumeFrom(Path checkpoint, ProfileKey key) {
        if (!Files.exists(checkpoint)) {
            return List.of();
        }
        ProfileTable partial = ProfileStore.read(checkpoint);
        if (!partial.key().equals(key)) {
            throw new RefusedException("the interrupted profile at " + checkpoint + " was made for "
                    + describe(partial.key()) + ", not for " + describe(key) + ": remove it or profile the same way");
        }
        return partial.rows();
    }

    private static String describe(ProfileKey k) {
        return k.model() + " on " + k.board() + " (" + k.inferences() + " inferences x " + k.reruns() + " reruns, "
                + k.cpuGridKHz().size() + "x" + k.gpuGridHz().size() + (k.emcGridHz().isEmpty() ? "" : "x" + k.emcGridHz().size())
                + " grid)";
    }

    /** Removes the checkpoint once the profile is safely written. */
    public static void finish(Path checkpoint) {
        try {
            Files.deleteIfExists(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
