package io.joulegov.cli;

import io.joulegov.device.clock.Clock;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.simulator.VirtualJetson;
import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.spec.Boards;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The board a command works on: a filesystem root ({@code --root}, default /) or a virtual board, never both. */
final class BoardTarget {

    @Option(names = "--root", paramLabel = "DIR", description = "Filesystem root of the board (default: /).")
    Path root;

    @Option(names = "--virtual", paramLabel = "BOARD",
            description = "A virtual board instead: nano, xavier-nx, orin-nano or orin-nano-super (laid out in a temporary directory).")
    String virtual;

    /** The board, opened; close it to remove a virtual board's directory. */
    Opened open(long seed) {
        if (virtual != null) {
            requireKnown(virtual);
            VirtualJetson jetson = VirtualJetson.open(virtual, 0, seed);
            return new Opened(SysRoot.of(jetson.root()), jetson);
        }
        return new Opened(SysRoot.of(rootDir()), null);
    }

    /** The --root directory (default /); a usage error when it does not exist. */
    Path rootDir() {
        Path dir = root != null ? root : Path.of("/");
        if (!Files.isDirectory(dir)) {
            throw new UsageException("no such directory: " + dir);
        }
        return dir;
    }

    /** A usage error (exit 2) unless {@code name} is a virtual board joulegov has. */
    static BoardSpec requireKnown(String name) {
        try {
            return Boards.byName(name);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** A usage error (exit 2) unless {@code workload} runs on {@code board}. */
    static void requireWorkload(BoardSpec board, String workload) {
        if (!board.workloads().containsKey(workload)) {
            throw new UsageException("unknown workload '" + workload + "' (known: "
                    + String.join(", ", board.workloads().keySet()) + ")");
        }
    }

    /** An opened board: its root, and the virtual board behind it if there is one. */
    record Opened(SysRoot root, VirtualJetson virtual) implements AutoCloseable {

        /** The clock the board runs on: virtual time for a virtual board, else the system's. */
        Clock clock() {
            return virtual != null ? virtual.clock() : Clock.system();
        }

        @Override
        public void close() {
            if (virtual != null) {
                virtual.close();
            }
        }
    }
}
