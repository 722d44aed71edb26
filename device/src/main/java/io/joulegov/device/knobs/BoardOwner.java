package io.joulegov.device.knobs;

import io.joulegov.device.DeviceException;
import io.joulegov.device.sysfs.SysRoot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one process that may write a board's knobs: an exclusive lock on {@code ROOT/var/lib/joulegov/owner.lock},
 * beside the restore journal (not under /run, which systemd empties when the unit stops), taken before the first
 * write by everything that pins ({@code govern}, {@code profile}, in-process governing). The kernel releases it when
 * the process dies, kill -9 included, so a crash never leaves a stale owner. The holder writes its pid, command and
 * start time into the file, since other processes' /proc may be hidden from a second would-be owner (the unit's
 * {@code ProtectProc=invisible}), and empties the file when it lets go. Nothing deletes the file.
 *
 * <p>The lock is a POSIX record lock, which belongs to the process and is dropped when any descriptor of the file is
 * closed: so this JVM opens the file once and asks its own table before opening it again.
 */
public final class BoardOwner implements AutoCloseable {

    public static final String LOCATION = "var/lib/joulegov/owner.lock";

    /** Lock files this JVM holds, with what it wrote into them. */
    private static final Map<Path, String> HELD = new HashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private BoardOwner(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    public static Path lockFile(SysRoot root) {
        return root.path(LOCATION);
    }

    /**
     * Takes the board for this process, or throws naming the process that holds it.
     *
     * @throws DeviceException when another process (or another part of this one) owns the board
     */
    public static BoardOwner acquire(SysRoot root) {
        Path file = lockFile(root).toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.containsKey(file)) {
                throw busy(file, HELD.get(file));
            }
            FileChannel channel = null;
            try {
                Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = channel.tryLock();
                if (lock == null) {
                    String holder = read(channel);
                    channel.close();
                    throw busy(file, holder);
                }
                ProcessHandle self = ProcessHandle.current();
                String command = self.info().commandLine().orElse("java");
                String holder = "pid " + self.pid() + ", started " + self.info().startInstant().orElse(Instant.now())
                        + ", command " + (command.length() > 300 ? command.substring(0, 300) + "..." : command);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
                channel.force(true);
                HELD.put(file, holder);
                return new BoardOwner(file, channel, lock);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new DeviceException("cannot take the board's owner lock " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Who owns the board now, as its lock file says; empty when no live process holds the lock. */
    public static Optional<String> holder(SysRoot root) {
        Path file = lockFile(root).toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.containsKey(file)) {
                return Optional.of(HELD.get(file));
            }
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    lock.release();
                    return Optional.empty();
                }
                return Optional.of(read(channel));
            } catch (IOException e) {
                throw new DeviceException("cannot read the board's owner lock " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Gives the board up; the file stays for the next owner. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (HELD.remove(file) != null) {
                try {
                    channel.truncate(0); // no owner: nothing to name
                    lock.release();
                } catch (IOException ignored) {
                    // closing the channel drops the lock anyway
                }
                closeQuietly(channel);
            }
        }
    }

    private static DeviceException busy(Path file, String holder) {
        return new DeviceException("the board is owned by another joulegov process (" + holder.strip()
                + "; lock " + file + "): stop it first");
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        channel.read(b, 0);
        String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "a process that has not said who it is yet" : text;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }
}
