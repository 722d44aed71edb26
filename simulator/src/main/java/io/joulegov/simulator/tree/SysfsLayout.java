package io.joulegov.simulator.tree;

import io.joulegov.device.board.Emc;
import io.joulegov.simulator.spec.BoardSpec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Lays out a board's sysfs tree under a root as the kernel presents it (docs/DESIGN.md, "Device rules"): relative
 * symlinks where the kernel has them, an absolute {@code /proc/device-tree} link, NUL-terminated device-tree strings.
 * Returns where the files the board model drives are.
 */
public final class SysfsLayout {

    /** The files of one CPU policy that the board reads (knobs) and writes (read-backs). */
    public record PolicyFiles(Path dir, List<Long> frequenciesKHz) {
    }

    /** Where everything the board model drives lives. */
    public record BoardFiles(List<PolicyFiles> policies, Path gpuDevfreq, Path gpuDevice, Path emcDir, List<Path[]> rails,
                         List<Path> zoneTemps) {
    }

    private final Path root;

    private SysfsLayout(Path root) {
        this.root = root;
    }

    public static BoardFiles lay(BoardSpec spec, Path root) {
        return new SysfsLayout(root).lay(spec);
    }

    private BoardFiles lay(BoardSpec spec) {
        BoardSpec.Identity id = spec.identity();
        put("sys/firmware/devicetree/base/model", id.model() + "\0");
        put("sys/firmware/devicetree/base/compatible", id.compatible() + "\0");
        put("sys/firmware/devicetree/base/serial-number", id.serial() + "\0");
        link("proc/device-tree", "/sys/firmware/devicetree/base");
        put("etc/nv_tegra_release", id.release() + "\n# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n");
        put("var/lib/nvpmodel/status", String.format("pmode:%04d fmode:quiet", spec.defaultMode().id()));
        return new BoardFiles(cpus(spec.cpu()), gpu(spec.gpu()), root.resolve(spec.gpu().deviceDir()), emc(spec.emc()),
                rails(spec.rails()), zones(spec.zones()));
    }

    private List<PolicyFiles> cpus(BoardSpec.Cpu cpu) {
        String base = "sys/devices/system/cpu";
        int count = cpu.clusters().stream().mapToInt(c -> c.length).sum();
        put(base + "/online", "0-" + (count - 1));
        put(base + "/possible", "0-" + (count - 1));
        List<Long> khz = cpu.frequenciesKHz();
        String top = khz.get(khz.size() - 1).toString();
        List<PolicyFiles> out = new ArrayList<>();
        for (int[] cluster : cpu.clusters()) {
            String policy = base + "/cpufreq/policy" + cluster[0];
            String cpus = Arrays.stream(cluster).mapToObj(Integer::toString).collect(Collectors.joining(" "));
            put(policy + "/scaling_governor", "schedutil");
            put(policy + "/scaling_available_governors", "interactive conservative ondemand userspace powersave performance schedutil");
            put(policy + "/scaling_available_frequencies", join(khz) + " ");
            put(policy + "/scaling_min_freq", khz.get(0).toString());
            put(policy + "/scaling_max_freq", top);
            put(policy + "/scaling_cur_freq", top);
            put(policy + "/cpuinfo_cur_freq", top);
            put(policy + "/cpuinfo_min_freq", khz.get(0).toString());
            put(policy + "/cpuinfo_max_freq", top);
            put(policy + "/scaling_setspeed", "<unsupported>");
            put(policy + "/scaling_driver", cpu.driver());
            put(policy + "/related_cpus", cpus);
            put(policy + "/affected_cpus", cpus);
            for (int c : cluster) {
                put(base + "/cpu" + c + "/online", "1");
                link(base + "/cpu" + c + "/cpufreq", "../cpufreq/policy" + cluster[0]);
            }
            out.add(new PolicyFiles(root.resolve(policy), khz));
        }
        return out;
    }

    private Path gpu(BoardSpec.Gpu gpu) {
        String dir = gpu.deviceDir();
        String devfreq = dir + "/devfreq/" + gpu.name();
        List<Long> hz = gpu.frequenciesHz();
        String top = hz.get(hz.size() - 1).toString();
        put(devfreq + "/governor", "nvhost_podgov");
        put(devfreq + "/available_governors", gpu.governors());
        put(devfreq + "/available_frequencies", join(hz));
        put(devfreq + "/min_freq", hz.get(0).toString());
        put(devfreq + "/max_freq", top);
        put(devfreq + "/cur_freq", top);
        put(devfreq + "/target_freq", top);
        put(devfreq + "/polling_interval", "50");
        link(devfreq + "/device", "../../../" + Path.of(dir).getFileName());
        put(dir + "/load", "0");
        put(dir + "/railgate_enable", "1");
        put(dir + "/enable_3d_scaling", "1");
        put("sys/firmware/devicetree/base/" + gpu.ofNode() + "/name", gpu.ofName() + "\0");
        put("sys/firmware/devicetree/base/" + gpu.ofNode() + "/compatible", gpu.compatible() + "\0");
        link(dir + "/of_node", "../".repeat(Path.of(dir).getNameCount() - 1) + "firmware/devicetree/base/" + gpu.ofNode());
        link("sys/class/devfreq/" + gpu.name(), "../../" + devfreq.substring("sys/".length()));
        if (gpu.alias() != null) {
            link("sys/devices/" + gpu.alias(), Path.of(dir).getFileName().toString());
        }
        return root.resolve(devfreq);
    }

    private Path emc(BoardSpec.Memory emc) {
        String top = Long.toString(emc.maxHz());
        if (emc.kind() == Emc.Interface.BPMP) {
            // T194/T234: the BPMP clock's own table, in Hz
            String dir = "sys/kernel/debug/bpmp/debug/clk/emc";
            put(dir + "/possible_rates", join(emc.ratesHz()));
            put(dir + "/rate", top);
            put(dir + "/min_rate", emc.ratesHz().get(0).toString());
            put(dir + "/max_rate", top);
            put(dir + "/mrq_rate_locked", "0");
            put("sys/kernel/nvpmodel_emc_cap/emc_iso_cap", "0");
            return root.resolve(dir);
        }
        String dir = "sys/kernel/debug/clk/override.emc";
        put(dir + "/clk_rate", top);
        put(dir + "/clk_state", "0");
        put(dir + "/clk_update_rate", "0");
        put("sys/kernel/debug/clk/emc/clk_rate", top);
        put("sys/kernel/debug/tegra_bwmgr/emc_min_rate", emc.ratesHz().get(0).toString());
        put("sys/kernel/debug/tegra_bwmgr/emc_max_rate", top);
        put("sys/kernel/debug/tegra_emc/stats", t210Stats(emc.ratesHz()));
        put("sys/kernel/actmon_avg_activity/mc_all", "0");
        return root.resolve(dir);
    }

    /** The T210 EMC driver's statistics: one row per table entry, rate in kHz and time spent there (ms). */
    private static String t210Stats(List<Long> ratesHz) {
        StringBuilder s = new StringBuilder("rate kHz   time\n");
        for (long hz : ratesHz) {
            s.append(String.format("%-10d %-10d%n", hz / 1000, 0));
        }
        return s.append("transitions:\t0\ntime-stamp:\t0\n").toString();
    }

    /** Per rail: {power, voltage, current} files (IIO), or {null, voltage, current} (hwmon, which has no power file). */
    private List<Path[]> rails(BoardSpec.PowerMonitor pm) {
        List<Path[]> out = new ArrayList<>();
        String chipDir = pm.chipDir();
        String driver = pm.hwmon() ? "ina3221" : "ina3221x";
        put(chipDir + "/name", driver);
        String dir = pm.hwmon() ? chipDir + "/hwmon/hwmon" + pm.hwmonIndex() : chipDir + "/iio:device0";
        for (int i = 0; i < pm.names().size(); i++) {
            if (pm.hwmon()) {
                int ch = i + 1;
                put(dir + "/in" + ch + "_label", pm.names().get(i));
                put(dir + "/in" + ch + "_input", "0");
                put(dir + "/curr" + ch + "_input", "0");
                put(dir + "/curr" + ch + "_crit", "7784");
                put(dir + "/curr" + ch + "_max", "7784");
                put(dir + "/shunt" + ch + "_resistor", "5000");
                out.add(new Path[] {null, root.resolve(dir + "/in" + ch + "_input"), root.resolve(dir + "/curr" + ch + "_input")});
            } else {
                put(dir + "/rail_name_" + i, pm.names().get(i));
                put(dir + "/in_power" + i + "_input", "0");
                put(dir + "/in_voltage" + i + "_input", "0");
                put(dir + "/in_current" + i + "_input", "0");
                put(dir + "/crit_current_limit_" + i, "4000 ma");
                put(dir + "/warn_current_limit_" + i, "3000 ma");
                out.add(new Path[] {root.resolve(dir + "/in_power" + i + "_input"),
                        root.resolve(dir + "/in_voltage" + i + "_input"), root.resolve(dir + "/in_current" + i + "_input")});
            }
        }
        if (pm.hwmon()) {
            put(dir + "/name", driver);
            put(dir + "/in7_label", "sum of shunt voltages");
            put(dir + "/in7_input", "0");
            put(dir + "/update_interval", "1");
            link("sys/class/hwmon/hwmon" + pm.hwmonIndex(), "../../" + dir.substring("sys/".length()));
        } else {
            put(dir + "/running_mode", "1");
        }
        link("sys/bus/i2c/drivers/" + driver + "/" + pm.chip(), "../../../../" + chipDir.substring("sys/".length()));
        return out;
    }

    private List<Path> zones(List<BoardSpec.Zone> zones) {
        List<Path> temps = new ArrayList<>();
        for (int i = 0; i < zones.size(); i++) {
            BoardSpec.Zone z = zones.get(i);
            String dir = "sys/devices/virtual/thermal/thermal_zone" + i;
            put(dir + "/type", z.name());
            put(dir + "/temp", z.offline() ? "-256000" : "25000");
            put(dir + "/mode", "enabled");
            put(dir + "/policy", "step_wise");
            for (int k = 0; k < z.trips().size(); k++) {
                BoardSpec.Trip t = z.trips().get(k);
                put(dir + "/trip_point_" + k + "_temp", Long.toString(Math.round(t.celsius() * 1000)));
                put(dir + "/trip_point_" + k + "_type", t.type());
                put(dir + "/trip_point_" + k + "_hyst", Long.toString(Math.round(t.hysteresis() * 1000)));
            }
            link("sys/class/thermal/thermal_zone" + i, "../../devices/virtual/thermal/thermal_zone" + i);
            temps.add(root.resolve(dir + "/temp"));
        }
        return temps;
    }

    private static String join(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    private void put(String rel, String content) {
        try {
            Path p = root.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.write(p, (content.endsWith("\0") ? content : content + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void link(String rel, String target) {
        try {
            Path p = root.resolve(rel);
            Files.createDirectories(p.getParent());
            Files.createSymbolicLink(p, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
