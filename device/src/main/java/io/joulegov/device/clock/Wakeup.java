package io.joulegov.device.clock;

/**
 * A sleep that another thread can end early: how a thread that owns some work (the governor's loop, a reporter's
 * sender) waits for its next deadline or for work handed to it, whichever comes first. One thread sleeps on it; any
 * thread may wake it.
 */
public interface Wakeup {

    /**
     * Sleeps until {@code deadlineNanos} or a {@link #wake()}, whichever comes first; returns at once when woken since
     * the last return.
     */
    void sleepUntil(long deadlineNanos) throws InterruptedException;

    /**
     * Ends the sleep now, or the next one at its start. On a virtual clock a caller that takes part in the clock then
     * lets the woken thread run first (it sleeps until every other party at this instant sleeps), so that what the two
     * do at one virtual instant happens in one order, run after run.
     */
    void wake();
}
