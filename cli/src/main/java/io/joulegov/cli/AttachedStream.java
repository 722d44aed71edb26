package io.joulegov.cli;

import io.joulegov.client.protocol.ControlProtocol;
import io.joulegov.client.protocol.ControlReply;
import io.joulegov.client.protocol.ControlRequest;
import io.joulegov.device.DeviceException;
import io.joulegov.governor.socket.ControlServer;
import io.joulegov.profiler.attach.ReportedStream;
import io.joulegov.profiler.workload.InferenceSource;
import io.joulegov.profiler.workload.WorkloadInfo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code profile --attach}: the profiler in the daemon's place on the control socket. Once the board is the
 * profiler's it serves the socket, answers an application as the daemon would (it learns nothing else), and feeds the
 * registered model's reports to the {@link ReportedStream} that the sweep measures.
 */
final class AttachedStream implements InferenceSource, AutoCloseable {

    private final ReportedStream stream;
    private final Path socket;
    private final String group;
    private final PrintWriter err;
    private ControlServer server;

    AttachedStream(ReportedStream stream, Path socket, String group, PrintWriter err) {
        this.stream = stream;
        this.socket = socket;
        this.group = group;
        this.err = err;
    }

    @Override
    public void start() throws InterruptedException {
        try {
            server = ControlServer.start(socket,
                    (request, peer) -> CompletableFuture.completedFuture(handle(request, peer)), Duration.ofSeconds(5), group);
        } catch (IOException | RuntimeException e) {
            throw new DeviceException("cannot serve the control socket " + socket + ": " + e.getMessage());
        }
        err.printf("joulegov: waiting for an application to register on %s%n", socket);
        err.flush();
        stream.start();
        WorkloadInfo info = stream.info();
        err.printf("joulegov: profiling %s (batch %d%s) as its application runs it%n", info.model(), info.batch(),
                info.hash().isEmpty() ? "" : ", hash " + info.hash());
        err.flush();
    }

    private String handle(ControlRequest request, ControlServer.Peer peer) {
        if (request instanceof ControlRequest.Register r) {
            String refused = stream.registered(r.model(), r.hash(), r.batch());
            return ControlProtocol.reply(refused == null ? new ControlReply.Done() : new ControlReply.Refused(refused));
        }
        if (request instanceof ControlRequest.Report r) {
            stream.reported(r.model(), r.latenciesMs(), r.endedMsAgo());
        }
        if (request instanceof ControlRequest.Status) {
            return ControlProtocol.reply(new ControlReply.Profiling(stream.registeredModel()));
        }
        return ControlProtocol.reply(new ControlReply.Done());
    }

    @Override
    public WorkloadInfo info() {
        return stream.info();
    }

    @Override
    public void skip(int n) throws Exception {
        stream.skip(n);
    }

    @Override
    public double[] time(int n, Runnable windowEnd) throws Exception {
        return stream.time(n, windowEnd);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
