package io.joulegov.client;

import ai.djl.inference.Predictor;
import ai.djl.inference.streaming.StreamingTranslator;
import ai.djl.metric.Metrics;
import ai.djl.translate.TranslateException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A DJL {@link Predictor} whose inferences are governed: the same calls, each timed and reported to the joulegov
 * daemon over its control socket (or through another {@link Transport}, such as the governor module's in-process
 * one for an application that may write the clocks itself), so
 * the board is held at the cheapest operating point that meets the model's budget. Thread-safe as far as the
 * wrapped predictor is; reporting never blocks or fails an inference, and a restarted daemon is found again.
 *
 * <pre>{@code
 * try (GovernedPredictor<Image, Classifications> p = GovernedPredictor.builder(model.newPredictor())
 *         .model("resnet18").slowdown(1.3).percentile("p95").build()) {
 *     Classifications c = p.predict(image);
 * }
 * }</pre>
 */
public final class GovernedPredictor<I, O> implements AutoCloseable {

    /** The daemon's socket when none is given. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/joulegov/joulegov.sock");

    private final Predictor<I, O> predictor;
    private final LatencyReporter reporter;

    private GovernedPredictor(Predictor<I, O> predictor, LatencyReporter reporter) {
        this.predictor = predictor;
        this.reporter = reporter;
    }

    public static <I, O> Builder<I, O> builder(Predictor<I, O> predictor) {
        return new Builder<>(predictor);
    }

    public O predict(I input) throws TranslateException {
        reporter.starting();
        long t0 = System.nanoTime();
        try {
            return predictor.predict(input);
        } finally {
            reporter.record((System.nanoTime() - t0) / 1e6);
        }
    }

    /** One latency for the whole batch: register the model with the batch size the profile was made for. */
    public List<O> batchPredict(List<I> inputs) throws TranslateException {
        reporter.starting();
        long t0 = System.nanoTime();
        try {
            return predictor.batchPredict(inputs);
        } finally {
            reporter.record((System.nanoTime() - t0) / 1e6);
        }
    }

    /** Streaming output is not timed: its latency is the consumer's, not the model's. */
    public StreamingTranslator.StreamOutput<O> streamingPredict(I input) throws TranslateException {
        return predictor.streamingPredict(input);
    }

    public boolean supportsStreaming() {
        return predictor.supportsStreaming();
    }

    public void setMetrics(Metrics metrics) {
        predictor.setMetrics(metrics);
    }

    /** Latencies the governor has accepted. */
    public long reported() {
        return reporter.reported();
    }

    /** Latencies that could not be delivered (no daemon, or one that stopped answering). */
    public long dropped() {
        return reporter.dropped();
    }

    /** Sends the last latencies, unregisters nothing (the daemon idles the model by itself), closes the predictor. */
    @Override
    public void close() {
        try {
            reporter.close();
        } finally {
            predictor.close();
        }
    }

    /** How the predictor is governed: the model's name, hash, batch and budget, and where the governor is. */
    public static final class Builder<I, O> {

        private final Predictor<I, O> predictor;
        private String model;
        private String hash = "";
        private int batch = 1;
        private Double budgetMs;
        private Double slowdown;
        private String percentile = "p95";
        private Path socket = DEFAULT_SOCKET;
        private Transport transport;
        private Duration flushEvery = Duration.ofMillis(100);

        private Builder(Predictor<I, O> predictor) {
            this.predictor = predictor;
        }

        /** The model's name in the profile (alexnet, resnet18, ... or a TorchScript file's name). */
        public Builder<I, O> model(String name) {
            this.model = name;
            return this;
        }

        /** The SHA-256 of the weights (as in the profile's key): picks the profile of exactly these weights. */
        public Builder<I, O> hash(String sha256) {
            this.hash = sha256;
            return this;
        }

        public Builder<I, O> batch(int size) {
            this.batch = size;
            return this;
        }

        /** A deadline per inference, met at the percentile. */
        public Builder<I, O> budgetMs(double ms) {
            this.budgetMs = ms;
            return this;
        }

        /** F x the latency of the profile's fastest point, met at the percentile. */
        public Builder<I, O> slowdown(double factor) {
            this.slowdown = factor;
            return this;
        }

        /** mean, p50, p95 (default) or p99. */
        public Builder<I, O> percentile(String p) {
            this.percentile = p;
            return this;
        }

        /** The daemon's control socket (default /run/joulegov/joulegov.sock). */
        public Builder<I, O> socket(Path path) {
            this.socket = path;
            return this;
        }

        /**
         * Reports through this transport instead of the daemon's socket: for example the governor module's
         * {@code InProcessTransport}, which governs from this process. The predictor closes it.
         */
        public Builder<I, O> transport(Transport t) {
            this.transport = t;
            return this;
        }

        /** How often latencies are sent (default 100 ms). */
        public Builder<I, O> flushEvery(Duration every) {
            this.flushEvery = every;
            return this;
        }

        public GovernedPredictor<I, O> build() {
            if (model == null) {
                throw new IllegalArgumentException("a governed predictor needs the model's name");
            }
            Registration registration = new Registration(model, hash, batch, budgetMs, slowdown, percentile);
            Transport t = transport != null ? transport : new SocketTransport(socket);
            return new GovernedPredictor<>(predictor, new LatencyReporter(registration, t, flushEvery));
        }
    }
}
