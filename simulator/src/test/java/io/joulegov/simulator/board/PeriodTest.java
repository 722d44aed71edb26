package io.joulegov.simulator.board;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PeriodTest {

    @Test
    void aJobIsDueOnceAPeriodHasPassedAndIsGivenTheTimeSinceItLastRan() {
        Period governor = new Period(10);
        governor.ranAt(100);
        assertEquals(0, governor.due(109), "not yet");
        assertEquals(13, governor.due(113), "a late tick sees the whole window");
        assertEquals(0, governor.due(120), "the next period counts from when it ran");
        assertEquals(10, governor.due(123));
    }

    @Test
    void runningOutOfTurnStartsTheNextPeriod() {
        Period conversion = new Period(10);
        conversion.ranAt(0);
        conversion.ranAt(5);
        assertEquals(0, conversion.due(12));
        assertEquals(10, conversion.due(15));
    }
}
