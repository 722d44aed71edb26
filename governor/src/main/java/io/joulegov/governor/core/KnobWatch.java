package io.joulegov.governor.core;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.board.Emc;
import io.joulegov.device.sysfs.SysRoot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The clock knobs as the daemon last left them, to notice when another program writes them (nvpmodel changing the
 * power mode, jetson_clocks pinning everything at the top, a user's echo): governors, minima and maxima of every CPU
 * policy and of the GPU, and nvpmodel's EMC cap where the board has one.
 */
final class KnobWatch {

    private final SysRoot root;
    private final List<Path> files = new ArrayList<>();
    private final List<Path> cpuMax = new ArrayList<>();
    private final Path gpuMax;
    /** The lockable EMC, whose power-mode cap ({@link Emc#capFile}) is watched; null without one. */
    private final Emc emc;
    private Map<Path, String> expected;

    KnobWatch(Board board) {
        this.root = board.root();
        for (CpuPolicy p : board.cpuPolicies()) {
            files.add(p.dir().resolve("scaling_governor"));
            files.add(p.dir().resolve("scaling_min_freq"));
            files.add(p.dir().resolve("scaling_max_freq"));
            cpuMax.add(p.dir().resolve("scaling_max_freq"));
        }
        gpuMax = board.gpu().map(g -> g.dir().resolve("max_freq")).orElse(null);
        board.gpu().ifPresent(g -> {
            files.add(g.dir().resolve("governor"));
            files.add(g.dir().resolve("min_freq"));
            files.add(gpuMax);
        });
        emc = board.emc().filter(Emc::lockable).orElse(null);
        if (emc != null && emc.capFile() != null) {
            files.add(emc.capFile());
        }
    }

    /** Remembers the knobs as they read now: right after the daemon wrote them. */
    void expectNow() {
        expected = snapshot();
    }

    /** Forgets what was expected: nothing is reported until the daemon writes again. */
    void forget() {
        expected = null;
    }

    /** The knobs that changed since {@link #expectNow()}, as "file: was -> now". */
    List<String> changes() {
        if (expected == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Map<Path, String> now = snapshot();
        for (Map.Entry<Path, String> e : expected.entrySet()) {
            String found = now.get(e.getKey());
            if (!e.getValue().equals(found)) {
                out.add(root.relative(e.getKey()) + ": " + e.getValue() + " -> " + found);
            }
        }
        return out;
    }

    /** The lowest scaling_max_freq of the CPU policies now (kHz), the ceiling another writer left. */
    long cpuCapKHz() {
        return cpuMax.stream().mapToLong(this::readOrMax).min().orElse(Long.MAX_VALUE);
    }

    /** The GPU's max_freq now (Hz). */
    long gpuCapHz() {
        return gpuMax == null ? Long.MAX_VALUE : readOrMax(gpuMax);
    }

    /** nvpmodel's EMC cap now (Hz; none, 0 in the file, is the maximum). The kernel holds it even over a locked rate. */
    long emcCapHz() {
        return emc == null ? Long.MAX_VALUE : emc.capHz(root);
    }

    private long readOrMax(Path file) {
        try {
            return root.readLong(file);
        } catch (RuntimeException unreadable) {
            return Long.MAX_VALUE;
        }
    }

    private Map<Path, String> snapshot() {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Path f : files) {
            out.put(f, root.read(f).orElse("<unreadable>"));
        }
        return out;
    }
}
