package io.joulegov.device.board;

import io.joulegov.device.sysfs.SysRoot;

import java.nio.file.Path;
import java.util.List;

/**
 * The memory clock. T210 (Nano) locks it through {@code clk/override.emc}; T194/T234 through the BPMP debugfs
 * clock {@code bpmp/debug/clk/emc}. Rates in Hz; {@code ratesHz} is the table a pin may choose from (see
 * {@link EmcRates}), empty where the kernel publishes none: then joulegov leaves the memory clock alone.
 * {@code rateHz} is the rate at discovery; {@code rateFile} gives the rate the board runs now (BPMP's {@code rate};
 * on T210 the EMC clock's own {@code clk/emc/clk_rate}, else the override's {@code clk_rate}). {@code capFile} is
 * nvpmodel's EMC cap ({@code nvpmodel_emc_cap/emc_iso_cap}, newer kernels {@code nvpmodel_clk_cap/emc}; null where
 * the board has none): the kernel holds the EMC at or below it even over a locked rate.
 */
public record Emc(Interface kind, Path dir, long rateHz, Path rateFile, boolean lockable, List<Long> ratesHz,
                  Path capFile) {

    public enum Interface {
        /** {@code sys/kernel/debug/clk/override.emc}: clk_state (1 = locked), clk_update_rate, clk_rate. */
        T210_OVERRIDE,
        /** {@code sys/kernel/debug/bpmp/debug/clk/emc}: mrq_rate_locked, rate, min_rate, max_rate. */
        BPMP
    }

    public Emc {
        ratesHz = List.copyOf(ratesHz);
    }

    /** The power mode's EMC cap now (Hz): none (no file, 0 in it, unreadable) is no cap at all. */
    public long capHz(SysRoot root) {
        if (capFile == null) {
            return Long.MAX_VALUE;
        }
        try {
            long cap = root.readLong(capFile);
            return cap <= 0 ? Long.MAX_VALUE : cap;
        } catch (RuntimeException unreadable) {
            return Long.MAX_VALUE;
        }
    }

    /** The rates a pin may choose from that the power mode's cap lets the board run. */
    public List<Long> ratesWithinCap(SysRoot root) {
        long cap = capHz(root);
        return ratesHz.stream().filter(r -> r <= cap).toList();
    }
}
