package io.joulegov.policies.online;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArrivalsTest {

    private static final long MS = 1_000_000L;

    private static Arrivals arrivals() {
        return new Arrivals(10_000 * MS, 500 * MS, 0.9);
    }

    @Test
    void framesOfACameraAt30PerSecondLeaveTheirGapLessTheLatencyIdle() {
        Arrivals a = arrivals();
        for (int i = 0; i < 300; i++) {
            a.ended(i * 33_333_333L + 12 * MS, 12);
        }
        assertTrue(a.known());
        assertEquals(0.0333 - 0.012, a.idleSeconds(12), 0.0005);
        assertEquals(0.0333 - 0.020, a.idleSeconds(20), 0.0005, "a slower point idles less");
        assertEquals(0, a.idleSeconds(40), "a point slower than the frames never idles");
    }

    @Test
    void requestsBackToBackLeaveNoGapAtAnyPoint() {
        Arrivals a = arrivals();
        long now = 0;
        for (int i = 0; i < 300; i++) {
            now += 15 * MS + 100_000; // the next request is sent 0.1 ms after the last returned
            a.ended(now, 15);
        }
        assertTrue(a.known());
        assertEquals(0, a.idleSeconds(5));
    }

    @Test
    void thePaceIsUnknownUntilTenRequestsHaveEnded() {
        Arrivals a = arrivals();
        for (int i = 0; i < 10; i++) {
            a.ended(i * 50 * MS, 10);
        }
        assertFalse(a.known());
        assertEquals(0, a.idleSeconds(10));
        a.ended(10 * 50 * MS, 10);
        assertTrue(a.known());
    }

    @Test
    void aPauseLongerThanTheIdleDelayIsNotTakenForAGapBetweenRequests() {
        Arrivals a = arrivals();
        long now = 0;
        for (int i = 0; i < 100; i++) {
            now += 40 * MS;
            a.ended(now, 10);
        }
        now += 60_000 * MS; // a minute with no request: the board was at its idle setting
        for (int i = 0; i < 100; i++) {
            now += 40 * MS;
            a.ended(now, 10);
        }
        assertEquals(0.030, a.idleSeconds(10), 0.001);
    }
}
