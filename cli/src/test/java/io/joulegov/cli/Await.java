package io.joulegov.cli;

import java.util.concurrent.TimeUnit;

/** Waiting in tests for another process to get somewhere: polls a condition, fails in words after a minute. */
final class Await {

    interface Check {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    static void until(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(20);
        }
    }
}
