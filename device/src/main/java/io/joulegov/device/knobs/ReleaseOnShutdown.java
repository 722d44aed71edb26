package io.joulegov.device.knobs;

/**
 * How every process that pins a board gives it back when told to stop (Ctrl-C, SIGTERM from systemd or
 * {@code docker stop}, {@code System.exit}) before its owner releases it: a JVM shutdown hook. The owner gives two
 * sequences: {@code release}, run when it closes this normally, and {@code shutdown}, run by the hook instead, which
 * first stops the work (shutdown hooks run beside the application's threads, and no late write may follow the
 * restore), then restores and says so. Only one of them ever runs; a caller that comes second waits for the first to
 * end. A second Ctrl-C while the hook runs cannot cut it short: the JVM is already shutting down and waits for it.
 */
public final class ReleaseOnShutdown implements AutoCloseable {

    private final Runnable release;
    private final Runnable shutdown;
    private final Thread hook;
    private boolean done;
    private boolean byHook;

    private ReleaseOnShutdown(String name, Runnable release, Runnable shutdown) {
        this.release = release;
        this.shutdown = shutdown;
        this.hook = new Thread(() -> runOnce(true), name + "-release-on-shutdown");
    }

    /** Registers the hook; {@code release} runs on {@link #close()}, {@code shutdown} if the JVM stops first. */
    public static ReleaseOnShutdown install(String name, Runnable release, Runnable shutdown) {
        ReleaseOnShutdown r = new ReleaseOnShutdown(name, release, shutdown);
        Runtime.getRuntime().addShutdownHook(r.hook);
        return r;
    }

    /** Whether the JVM's shutdown, not the owner, ended the work. */
    public synchronized boolean interrupted() {
        return byHook;
    }

    private synchronized void runOnce(boolean fromHook) {
        if (done) {
            return;
        }
        done = true;
        byHook = fromHook;
        (fromHook ? shutdown : release).run();
    }

    /** Releases now unless the hook did, and removes the hook unless the JVM is shutting down. */
    @Override
    public void close() {
        runOnce(false);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or ran: nothing to remove
        }
    }
}
