package io.joulegov.device.board;

import java.nio.file.Path;
import java.util.List;

/**
 * The memory clock. T210 (Nano) locks it through {@code clk/override.emc}; T194/T234 through the BPMP debugfs
 * clock {@code bpmp/debug/clk/emc}. Rates in Hz; {@code ratesHz} is the table a pin may choose from (see
 * {@link EmcRates}), empty where the kernel publishes none: then joulegov leaves the memory clock alone.
 * {@code rateHz} is the rate at discovery; {@code rateFile} gives the rate the board runs now (BPMP's {@code rate};
 * on T210 the EMC clock's own {@code clk/emc/clk_rate}, else the override's {@code clk_rate}).
 */
public record Emc(Interface kind, Path dir, long rateHz, Path rateFile, boolean lockable, List<Long> ratesHz) {

    public enum Interface {
        /** {@code sys/kernel/debug/clk/override.emc}: clk_state (1 = locked), clk_update_rate, clk_rate. */
        T210_OVERRIDE,
        /** {@code sys/kernel/debug/bpmp/debug/clk/emc}: mrq_rate_locked, rate, min_rate, max_rate. */
        BPMP
    }

    public Emc {
        ratesHz = List.copyOf(ratesHz);
    }
}
