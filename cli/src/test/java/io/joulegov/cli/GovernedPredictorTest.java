package io.joulegov.cli;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.translate.NoopTranslator;
import io.joulegov.client.GovernedPredictor;
import io.joulegov.governor.inprocess.InProcessTransport;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.testing.TreeSnapshot;
import io.joulegov.cli.JoulegovCommand;
import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlReply;
import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.governor.socket.ControlServer;
import io.joulegov.djl.DjlRuntime;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.Boards;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The DJL wrapper around real (tiny) PyTorch inference: what it reports, with and without a daemon. */
class GovernedPredictorTest {

    @TempDir
    Path tmp;

    private Model model;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void tinyModel() {
        DjlRuntime.engine();
        model = Model.newInstance("tiny", "PyTorch");
        model.setBlock(Linear.builder().setUnits(4).build());
        model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        model.close();
    }

    private Predictor<NDList, NDList> predictor() {
        return model.newPredictor(new NoopTranslator());
    }

    /** One inference with its tensors scoped to the call; the size of its output. */
    private long infer(GovernedPredictor<NDList, NDList> p) throws Exception {
        try (NDManager call = model.getNDManager().newSubManager()) {
            return p.predict(new NDList(call.ones(new Shape(1, 8)))).head().size();
        }
    }

    /** {@code threads} threads making {@code each} inferences at once, each checking its output. */
    private void inferFromThreads(GovernedPredictor<NDList, NDList> p, int threads, int each) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < each; i++) {
                    assertEquals(4, infer(p));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
    }

    /** A daemon that accepts everything and remembers what it was sent. */
    private final class RecordingDaemon {
        final AtomicInteger registers = new AtomicInteger();
        final AtomicInteger latencies = new AtomicInteger();
        final ConcurrentLinkedQueue<String> ops = new ConcurrentLinkedQueue<>();

        ControlServer serve(Path socket) throws Exception {
            ControlServer server = ControlServer.start(socket, (request, peer) -> {
                ops.add(request.getClass().getSimpleName());
                if (request instanceof ControlRequest.Register) {
                    registers.incrementAndGet();
                } else if (request instanceof ControlRequest.Report r) {
                    latencies.addAndGet(r.latenciesMs().size());
                }
                return CompletableFuture.completedFuture(ControlProtocol.reply(new ControlReply.Done()));
            }, Duration.ofSeconds(5));
            toClose.add(server);
            return server;
        }
    }

    @Test
    void everyInferenceFromEveryThreadIsReported() throws Exception {
        Path socket = tmp.resolve("joulegov.sock");
        RecordingDaemon daemon = new RecordingDaemon();
        daemon.serve(socket);
        GovernedPredictor<NDList, NDList> p = GovernedPredictor.builder(predictor()).model("tiny").slowdown(1.3)
                .socket(socket).flushEvery(Duration.ofMillis(20)).build();
        inferFromThreads(p, 8, 250);
        p.close();
        assertEquals(2000, daemon.latencies.get(), "no latency is lost");
        assertEquals(2000, p.reported());
        assertEquals(0, p.dropped());
        assertEquals(1, daemon.registers.get());
        assertEquals("Register", daemon.ops.peek());
        assertTrue(daemon.ops.contains("Begin"), "the first inference announced itself");
    }

    /** The load test's fast variant (bench/load.sh does 1,000,000 calls against a real daemon). */
    @Test
    void sixtyFourThreadsLoseNoMeasurement() throws Exception {
        Path socket = tmp.resolve("load.sock");
        RecordingDaemon daemon = new RecordingDaemon();
        daemon.serve(socket);
        GovernedPredictor<NDList, NDList> p = GovernedPredictor.builder(predictor()).model("tiny").slowdown(1.3)
                .socket(socket).build();
        inferFromThreads(p, 64, 2000);
        p.close();
        assertEquals(128_000, daemon.latencies.get());
        assertEquals(128_000, p.reported());
        assertEquals(0, p.dropped());
    }

    @Test
    void noDaemonNeverFailsAnInferenceAndALateOneIsFound() throws Exception {
        Path socket = tmp.resolve("late.sock");
        try (GovernedPredictor<NDList, NDList> p = GovernedPredictor.builder(predictor()).model("tiny").budgetMs(5)
                .socket(socket).flushEvery(Duration.ofMillis(20)).build()) {
            for (int i = 0; i < 50; i++) {
                infer(p);
            }
            Await.until(() -> p.dropped() > 0, "latencies with nowhere to go are counted as dropped");
            RecordingDaemon daemon = new RecordingDaemon();
            daemon.serve(socket);
            Await.until(() -> {
                infer(p);
                return daemon.latencies.get() > 0;
            }, "latencies reach the daemon once it appeared");
            assertEquals(1, daemon.registers.get(), "registered with the daemon once it appeared");
            assertTrue(daemon.latencies.get() > 0);
        }
    }

    @Test
    void governsInProcessAndGivesTheClocksBack() throws Exception {
        Path root = tmp.resolve("nano");
        VirtualBoard board = VirtualBoard.create(Boards.nano(), root, false, 3, true).startLive(Clock.system(), 10_000_000L);
        toClose.add(board);
        Path cache = tmp.resolve("cache");
        assertEquals(0, JoulegovCommand.run(new String[] {"profile", "--no-emc", "--virtual", "nano", "--model", "bert-tiny", "--grid", "sparse",
                "--inferences", "100", "--reruns", "3", "--cache", cache.toString()}, new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter())));
        // idle, podgov brings the GPU to its lowest clock at its first 50 ms window
        String gpu = "sys/devices/57000000.gpu/devfreq/57000000.gpu/";
        String lowest = JoulegovProcess.read(root, gpu + "available_frequencies").split(" ")[0];
        Await.until(() -> JoulegovProcess.read(root, gpu + "cur_freq").equals(lowest)
                && JoulegovProcess.read(root, gpu + "target_freq").equals(lowest), "the idle GPU is at its lowest clock");
        Map<String, String> before = TreeSnapshot.of(root.resolve("sys/devices/57000000.gpu/devfreq"));
        Path gpuMin = root.resolve("sys/devices/57000000.gpu/devfreq/57000000.gpu/min_freq");
        Path gpuMax = root.resolve("sys/devices/57000000.gpu/devfreq/57000000.gpu/max_freq");
        assertNotEquals(Files.readString(gpuMin), Files.readString(gpuMax), "podgov ranges over the whole table");
        try (GovernedPredictor<NDList, NDList> p = GovernedPredictor.builder(predictor()).model("bert-tiny").slowdown(1.5)
                .transport(InProcessTransport.open(root, cache, true)).flushEvery(Duration.ofMillis(20)).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((!Files.readString(gpuMin).equals(Files.readString(gpuMax)) || p.reported() == 0) && System.nanoTime() < deadline) {
                infer(p);
            }
            assertEquals(Files.readString(gpuMin), Files.readString(gpuMax), "the governor pinned the GPU");
            assertTrue(p.reported() > 0);
        }
        // released, the GPU goes back to its lowest clock at podgov's next window
        Await.equal(before, () -> TreeSnapshot.of(root.resolve("sys/devices/57000000.gpu/devfreq")), "closing gives the GPU back");
    }
}
