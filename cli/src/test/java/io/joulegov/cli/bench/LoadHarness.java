package io.joulegov.cli.bench;

import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.translate.NoopTranslator;
import io.joulegov.client.ControlClient;
import io.joulegov.client.GovernedPredictor;
import io.joulegov.djl.DjlRuntime;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Load on a running daemon (bench/load.sh starts one): THREADS threads make CALLS real DJL inferences in all (a
 * 8 -> 4 linear layer, so that the wrapper and the daemon are what is loaded) through one GovernedPredictor that
 * reports to the daemon; then CLIENTS socket clients connect at once, half of them ask for status, all drop. Prints
 * what the wrapper delivered and dropped, the heap it ended with, and whether the daemon still answers.
 *
 * <p>Usage: LoadHarness SOCKET MODEL CALLS THREADS CLIENTS
 */
public final class LoadHarness {

    private LoadHarness() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        String model = args[1];
        long calls = Long.parseLong(args[2]);
        int threads = Integer.parseInt(args[3]);
        int clients = Integer.parseInt(args[4]);
        DjlRuntime.engine();
        try (Model m = Model.newInstance("tiny", "PyTorch")) {
            m.setBlock(Linear.builder().setUnits(4).build());
            m.getBlock().initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
            GovernedPredictor<NDList, NDList> p = GovernedPredictor.builder(m.newPredictor(new NoopTranslator()))
                    .model(model).slowdown(1.3).socket(socket).build();
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<Long>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long share = calls / threads + (t < calls % threads ? 1 : 0);
                done.add(pool.submit(() -> {
                    for (long i = 0; i < share; i++) {
                        try (NDManager call = m.getNDManager().newSubManager()) {
                            p.predict(new NDList(call.ones(new Shape(1, 8))));
                        }
                    }
                    return share;
                }));
            }
            long made = 0;
            for (Future<Long> f : done) {
                made += f.get(30, TimeUnit.MINUTES);
            }
            pool.shutdown();
            double seconds = (System.nanoTime() - t0) / 1e9;
            p.close();
            Runtime rt = Runtime.getRuntime();
            System.gc();
            System.out.printf("calls=%d threads=%d seconds=%.1f reported=%d dropped=%d heapUsedMB=%.1f%n", made, threads,
                    seconds, p.reported(), p.dropped(), (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
        }
        System.out.printf("clients=%d answered=%d daemonAnswersAfter=%s%n", clients, churn(socket, clients), status(socket));
    }

    /** Connects {@code n} clients at once; every other one asks for status; all drop. Returns the answers. */
    private static int churn(Path socket, int n) throws IOException {
        List<SocketChannel> open = new ArrayList<>();
        int answered = 0;
        try {
            for (int i = 0; i < n; i++) {
                SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                c.connect(UnixDomainSocketAddress.of(socket));
                open.add(c);
                if (i % 2 == 0) {
                    c.write(ByteBuffer.wrap("{\"op\":\"status\"}\n".getBytes(StandardCharsets.UTF_8)));
                }
            }
            for (int i = 0; i < open.size(); i += 2) {
                ByteBuffer in = ByteBuffer.allocate(4096);
                if (open.get(i).read(in) > 0 && new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).startsWith("{\"ok\":true")) {
                    answered++;
                }
            }
        } finally {
            for (SocketChannel c : open) {
                c.close();
            }
        }
        return answered;
    }

    private static boolean status(Path socket) throws IOException {
        try (ControlClient c = ControlClient.connect(socket, Duration.ofSeconds(2))) {
            return c.exchange("{\"op\":\"status\"}").path("ok").asBoolean();
        }
    }
}
