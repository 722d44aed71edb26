package io.joulegov.device.clock;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadsTest {

    @Test
    void aWorkerThatSleepsUntilInterruptedIsStoppedAndJoined() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        Thread worker = new Thread(() -> {
            running.countDown();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException stopped) {
                // the way out
            }
        });
        worker.start();
        running.await();
        Threads.stop(worker, Duration.ofSeconds(5));
        assertFalse(worker.isAlive());
        Threads.stop(null, Duration.ofSeconds(1)); // nothing started: nothing to stop
        assertFalse(Thread.currentThread().isInterrupted(), "the caller keeps no interrupt of its own making");
        assertTrue(worker.getState() == Thread.State.TERMINATED);
    }
}
