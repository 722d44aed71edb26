package io.joulegov.simulator;

import io.joulegov.device.clock.Clock;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.Boards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@code govern --virtual BOARD} runs on: a virtual board laid out in a fresh temporary directory and served in
 * real time, so that the daemon reads and writes it exactly as it would a live {@code simulate} board. Closing it
 * stops the board and removes the directory.
 */
public final class LiveJetson implements AutoCloseable {

    /** How often the live board catches up with real time. */
    public static final Duration TICK = Duration.ofMillis(10);

    private final Path root;
    private final VirtualBoard board;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LiveJetson(Path root, VirtualBoard board) {
        this.root = root;
        this.board = board;
    }

    /** Unit {@code unit} of a board kind, noisy (sensor noise, jitter, drift, as a real one), served live on {@code clock}. */
    public static LiveJetson open(String boardName, int unit, long seed, Clock clock) {
        var spec = Boards.byName(boardName).unit(unit);
        try {
            Path root = Files.createTempDirectory("joulegov-" + boardName + "-");
            return new LiveJetson(root, VirtualBoard.create(spec, root, false, seed, true).startLive(clock, TICK.toNanos()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out a virtual board", e);
        }
    }

    public Path root() {
        return root;
    }

    public VirtualBoard board() {
        return board;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        board.close();
        VirtualJetson.deleteTree(root);
    }
}
