package io.joulegov.governor.inprocess;

import io.joulegov.client.Registration;
import io.joulegov.client.Transport;
import io.joulegov.governor.loop.GovernorLoop;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reports straight to a {@link GovernorLoop} in this process, with the commands the control socket queues: for a
 * workload whose profile is in hand rather than in a models-cache (compare's adaptive mode, the soak). The model
 * registers with {@code profile}, or with none (null) to be learned under {@code toLearn}.
 */
public final class LoopTransport implements Transport {

    private final GovernorLoop loop;
    private final ProfileTable profile;
    private final ProfileKey toLearn;

    public LoopTransport(GovernorLoop loop, ProfileTable profile, ProfileKey toLearn) {
        this.loop = loop;
        this.profile = profile;
        this.toLearn = toLearn;
    }

    @Override
    public void register(Registration r) throws IOException {
        await(loop.register(r.model(), profile, profile == null ? toLearn : null, Budget.of(r.budgetMs(), r.slowdown()),
                Percentile.parse(r.percentile())));
    }

    @Override
    public void begin(String model) throws IOException {
        await(loop.begin(model));
    }

    @Override
    public Duration report(String model, double[] latenciesMs, double[] endedMsAgo, int count) throws IOException {
        return await(loop.report(model, list(latenciesMs, count), list(endedMsAgo, count)));
    }

    static List<Double> list(double[] values, int count) {
        List<Double> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(values[i]);
        }
        return out;
    }

    /** The loop's answer; a refusal is the transport's IOException, as from the socket. */
    private static <T> T await(CompletableFuture<T> answer) throws IOException {
        try {
            return answer.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException(cause.getMessage(), cause);
        }
    }

    @Override
    public void disconnect() {
        // nothing to reconnect: the loop lives as long as its caller keeps it
    }

    @Override
    public void close() {
        // the loop is its caller's to close
    }
}
