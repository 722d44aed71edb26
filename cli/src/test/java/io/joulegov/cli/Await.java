package io.joulegov.cli;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Waiting in tests for another process to get somewhere: polls a condition, fails in words after a minute. */
final class Await {

    interface Check {
        boolean holds() throws Exception;
    }

    interface Value<T> {
        T get() throws Exception;
    }

    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(60);

    private Await() {
    }

    static void until(Check check, String what) throws Exception {
        until(check, () -> what);
    }

    /** As {@link #until(Check, String)}, with the words made when it fails (a log as it is then). */
    static void until(Check check, Value<String> what) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT;
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting: " + what.get());
            }
            Thread.sleep(20);
        }
    }

    /** Polls until {@code actual} equals {@code expected}; fails as assertEquals does (with its diff) after a minute. */
    static <T> void equal(T expected, Value<T> actual, String message) throws Exception {
        agree(() -> expected, actual, message);
    }

    static <T> void equal(T expected, Value<T> actual) throws Exception {
        equal(expected, actual, null);
    }

    /** As {@link #equal(Object, Value, String)}, for two values that may both change (a minimum and a maximum). */
    static <T> void agree(Value<T> expected, Value<T> actual, String message) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT;
        for (T e = expected.get(), a = actual.get(); !Objects.equals(e, a); e = expected.get(), a = actual.get()) {
            if (System.nanoTime() > deadline) {
                assertEquals(e, a, message);
            }
            Thread.sleep(20);
        }
    }
}
