package io.joulegov.simulator;

import io.joulegov.device.clock.VirtualClock;
import io.joulegov.simulator.board.VirtualBoard;
import io.joulegov.simulator.spec.Boards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * What {@code --virtual BOARD} gives a command: a virtual board laid out in a fresh temporary directory, running on
 * a virtual clock. The calling thread is the clock's driving party. Closing it removes the directory.
 */
public final class VirtualJetson implements AutoCloseable {

    /** Where virtual time starts; any fixed instant will do, and a fixed one keeps runs reproducible. */
    public static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final Path root;
    private final VirtualClock clock;
    private final VirtualBoard board;

    private VirtualJetson(Path root, VirtualClock clock, VirtualBoard board) {
        this.root = root;
        this.clock = clock;
        this.board = board;
    }

    /** Unit {@code unit} of a board kind, noisy (sensor noise, jitter, drift) as a real one would be. */
    public static VirtualJetson open(String boardName, int unit, long seed) {
        var spec = Boards.byName(boardName).unit(unit);
        try {
            Path root = Files.createTempDirectory("joulegov-" + boardName + "-");
            VirtualClock clock = new VirtualClock(EPOCH);
            VirtualBoard board = VirtualBoard.create(spec, root, true, seed, true).attach(clock);
            return new VirtualJetson(root, clock, board);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lay out a virtual board", e);
        }
    }

    public Path root() {
        return root;
    }

    public VirtualClock clock() {
        return clock;
    }

    public VirtualBoard board() {
        return board;
    }

    @Override
    public void close() {
        board.close();
        clock.unregister();
        deleteTree(root);
    }

    static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // a temporary directory; the system cleans up what is left
        }
    }
}
