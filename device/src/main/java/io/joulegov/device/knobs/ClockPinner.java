package io.joulegov.device.knobs;

import io.joulegov.device.DeviceException;
import io.joulegov.device.board.Board;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.board.Emc;
import io.joulegov.device.board.GpuDevfreq;
import io.joulegov.device.sysfs.SysRoot;

import java.nio.file.Path;
import java.util.List;

/**
 * Holds clock domains at chosen frequencies. Only frequencies from a domain's table are written; each domain's
 * original state is journaled before its first write; every write is read back.
 *
 * <ul>
 *   <li>CPU: the {@code userspace} governor and {@code scaling_setspeed} where offered, else min = max.</li>
 *   <li>GPU: devfreq min = max, as NVIDIA documents it; the governor is left alone and cannot move the clock.</li>
 *   <li>EMC: locked at a rate from its table (BPMP {@code mrq_rate_locked} + {@code rate}, or T210 override).</li>
 * </ul>
 * {@link #release()} restores everything the journal holds.
 */
public final class ClockPinner {

    private final Board board;
    private final SysRoot root;
    private final RestoreJournal journal;
    private final KnobWriter writer;

    public ClockPinner(Board board, RestoreJournal journal) {
        this(board, journal, new KnobWriter(board.root()));
    }

    ClockPinner(Board board, RestoreJournal journal, KnobWriter writer) {
        this.board = board;
        this.root = board.root();
        this.journal = journal;
        this.writer = writer;
    }

    public RestoreJournal journal() {
        return journal;
    }

    /** Pins a CPU policy; returns the frequency (kHz) the policy reads back. */
    public long pinCpu(CpuPolicy policy, long kHz) {
        requireAvailable(policy.name(), "kHz", policy.frequenciesKHz(), kHz);
        Path dir = policy.dir();
        journal.record(KnobDomain.CPUFREQ, dir);
        if (policy.hasSetspeed() && policy.governors().contains("userspace")) {
            writer.write(dir.resolve("scaling_governor"), "userspace");
            return Long.parseLong(writer.write(dir.resolve("scaling_setspeed"), Long.toString(kHz)));
        }
        writer.writeLimits(dir.resolve("scaling_min_freq"), dir.resolve("scaling_max_freq"), kHz, kHz);
        return root.readLong(dir.resolve("scaling_min_freq"));
    }

    /** Pins the GPU (min = max); returns the frequency (Hz) min_freq reads back. */
    public long pinGpu(long hz) {
        GpuDevfreq gpu = board.gpu().orElseThrow(() -> new DeviceException("this board has no GPU devfreq node"));
        requireAvailable("GPU " + gpu.name(), "Hz", gpu.frequenciesHz(), hz);
        journal.record(KnobDomain.DEVFREQ, gpu.dir());
        writer.writeLimits(gpu.dir().resolve("min_freq"), gpu.dir().resolve("max_freq"), hz, hz);
        return root.readLong(gpu.dir().resolve("min_freq"));
    }

    /** Locks the memory clock; returns the rate (Hz) it reads back. */
    public long pinEmc(long hz) {
        Emc emc = board.emc().filter(Emc::lockable)
                .orElseThrow(() -> new DeviceException("the memory clock (EMC) of this board cannot be locked"));
        requireAvailable("EMC", "Hz", emc.ratesHz(), hz);
        Path dir = emc.dir();
        if (emc.kind() == Emc.Interface.BPMP) {
            journal.record(KnobDomain.EMC_BPMP, dir);
            writer.write(dir.resolve("mrq_rate_locked"), "1");
            return Long.parseLong(writer.write(dir.resolve("rate"), Long.toString(hz)));
        }
        journal.record(KnobDomain.EMC_T210, dir);
        String back = writer.write(dir.resolve("clk_update_rate"), Long.toString(hz));
        writer.write(dir.resolve("clk_state"), "1");
        return Long.parseLong(back);
    }

    /**
     * Pins a whole operating point: every CPU policy at {@code cpuKHz}, the GPU (where the board has one) and the
     * memory clock unless {@code emcHz} is null (left to the kernel).
     */
    public void pin(long cpuKHz, long gpuHz, Long emcHz) {
        for (CpuPolicy p : board.cpuPolicies()) {
            pinCpu(p, cpuKHz);
        }
        if (board.gpu().isPresent()) {
            pinGpu(gpuHz);
        }
        if (emcHz != null) {
            pinEmc(emcHz);
        }
    }

    /** Gives every pinned domain back as the journal found it, and removes the journal. */
    public List<Mismatch> release() {
        return journal.restore(writer);
    }

    /** Writes that read back differently, in the order they happened. */
    public List<Mismatch> mismatches() {
        return writer.mismatches();
    }

    private static void requireAvailable(String domain, String unit, List<Long> table, long value) {
        if (table.isEmpty()) {
            throw new DeviceException(domain + " publishes no table of available frequencies: joulegov cannot pin it");
        }
        if (!table.contains(value)) {
            throw new DeviceException(value + " " + unit + " is not an available frequency of " + domain
                    + " (available: " + table.get(0) + " .. " + table.get(table.size() - 1) + ", " + table.size() + " steps)");
        }
    }
}
