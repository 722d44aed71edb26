package io.joulegov.cli.bench;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslateException;
import io.joulegov.client.LatencyReporter;
import io.joulegov.client.Registration;
import io.joulegov.client.SocketTransport;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlReply;
import io.joulegov.governor.socket.ControlServer;
import io.joulegov.client.GovernedPredictor;
import io.joulegov.djl.DjlWorkload;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One BERT-Tiny inference (DJL, PyTorch, 1 thread, batch 1, 128 tokens) through the bare {@link Predictor} and
 * through {@link GovernedPredictor} reporting to a live control socket every 100 ms, and the wrapper's own work per
 * call alone (what {@code governed} adds to {@code bare}: a start hint, two clock reads and a buffered latency),
 * which this VM's run-to-run noise on a 3 ms inference would otherwise hide. Run with bench/wrapper.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@org.openjdk.jmh.annotations.Measurement(iterations = 8, time = 3)
@Fork(1)
public class GovernedPredictorBenchmark {

    private DjlWorkload workload;
    private Predictor<NDList, NDList> bare;
    private GovernedPredictor<NDList, NDList> governed;
    private ControlServer daemon;
    private LatencyReporter reporter;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        workload = DjlWorkload.builtIn("bert-tiny", 1, 1);
        bare = workload.newPredictor();
        dir = Files.createTempDirectory("joulegov-bench");
        Path socket = dir.resolve("joulegov.sock");
        daemon = ControlServer.start(socket, (request, peer) -> CompletableFuture.completedFuture(ControlProtocol.reply(new ControlReply.Done())), Duration.ofSeconds(5));
        governed = GovernedPredictor.builder(workload.newPredictor()).model("bert-tiny").slowdown(1.3).socket(socket).build();
        reporter = new LatencyReporter(new Registration("bert-tiny", "", 1, null, 1.3, "p95"), new SocketTransport(socket),
                Duration.ofMillis(100));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        governed.close();
        reporter.close();
        bare.close();
        daemon.close();
        workload.close();
        Files.deleteIfExists(dir.resolve("joulegov.sock"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public NDList bare() throws TranslateException {
        NDList input = workload.input();
        try (NDManager call = input.head().getManager().newSubManager()) {
            call.tempAttachAll(input);
            return bare.predict(input);
        }
    }

    /** Exactly the work GovernedPredictor.predict adds around the wrapped call. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void wrapperWorkOnly() {
        reporter.starting();
        long t0 = System.nanoTime();
        reporter.record((System.nanoTime() - t0) / 1e6);
    }

    @Benchmark
    public NDList governed() throws TranslateException {
        NDList input = workload.input();
        try (NDManager call = input.head().getManager().newSubManager()) {
            call.tempAttachAll(input);
            return governed.predict(input);
        }
    }
}
