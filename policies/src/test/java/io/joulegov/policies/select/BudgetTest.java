package io.joulegov.policies.select;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BudgetTest {

    @Test
    void aBudgetIsADeadlineOrASlowdownNeverBothNorNeither() {
        assertEquals(new Budget.Millis(40), Budget.of(40.0, null));
        assertEquals(new Budget.Slowdown(1.3), Budget.of(null, 1.3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Budget.of(40.0, 1.3)).getMessage().contains("exactly one"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Budget.of(null, null)).getMessage().contains("exactly one"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Budget.of(null, 0.5)).getMessage().contains("at least 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Budget.of(-1.0, null)).getMessage().contains("positive"));
    }
}
