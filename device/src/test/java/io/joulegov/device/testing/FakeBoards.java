package io.joulegov.device.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Lays out sysfs trees as real boards have them (docs/DESIGN.md, "Device rules"): relative symlinks where the
 * kernel has them ({@code cpuN/cpufreq}, {@code class/devfreq/X}, i2c driver entries, {@code class/thermal}), an
 * absolute {@code /proc/device-tree} link, device-tree strings ending in NUL, hwmon numbers that differ per board.
 *
 * <p>Run as a program to lay one out for a manual check:
 * {@code java -cp device/target/test-classes io.joulegov.device.testing.FakeBoards nano-jp4 /tmp/nano}.
 */
public final class FakeBoards {

    public enum Layout { NANO_JP4, XAVIER_NX_JP4, XAVIER_NX_JP5, ORIN_NANO_JP6, TX2_L4T28 }

    public static final List<Long> NANO_CPU_KHZ = List.of(102000L, 204000L, 307200L, 403200L, 518400L, 614400L,
            710400L, 825600L, 921600L, 1036800L, 1132800L, 1224000L, 1326000L, 1428000L, 1479000L);
    public static final List<Long> NANO_GPU_HZ = List.of(76800000L, 153600000L, 230400000L, 307200000L, 384000000L,
            460800000L, 537600000L, 614400000L, 691200000L, 768000000L, 844800000L, 921600000L);
    public static final List<Long> NX_CPU_KHZ = List.of(115200L, 192000L, 268800L, 345600L, 422400L, 499200L,
            576000L, 652800L, 729600L, 806400L, 883200L, 960000L, 1036800L, 1113600L, 1190400L, 1267200L, 1344000L,
            1420800L, 1497600L, 1574400L, 1651200L, 1728000L, 1804800L, 1881600L, 1907200L);
    public static final List<Long> NX_GPU_HZ = List.of(114750000L, 204000000L, 306000000L, 408000000L, 510000000L,
            599250000L, 701250000L, 752250000L, 803250000L, 854250000L, 905250000L, 956250000L, 1007250000L,
            1058250000L, 1109250000L);
    public static final List<Long> ORIN_NANO_CPU_KHZ = List.of(115200L, 192000L, 268800L, 345600L, 422400L,
            499200L, 576000L, 652800L, 729600L, 806400L, 883200L, 960000L, 1036800L, 1113600L, 1190400L, 1267200L,
            1344000L, 1420800L, 1497600L, 1510400L);
    public static final List<Long> ORIN_NANO_GPU_HZ = List.of(306000000L, 408000000L, 510000000L, 612000000L,
            624750000L);
    public static final List<Long> TX2_CPU_KHZ = List.of(345600L, 499200L, 652800L, 806400L, 960000L, 1113600L,
            1267200L, 1420800L, 1574400L, 1728000L, 1881600L, 2035200L);
    public static final List<Long> TX2_GPU_HZ = List.of(114750000L, 216750000L, 318750000L, 420750000L, 522750000L,
            624750000L, 726750000L, 828750000L, 930750000L, 1032750000L, 1134750000L, 1236750000L, 1300500000L);
    public static final List<Long> T210_EMC_HZ = List.of(204000000L, 408000000L, 665600000L, 800000000L,
            1065600000L, 1331200000L, 1600000000L);
    public static final List<Long> T194_EMC_HZ = List.of(204000000L, 408000000L, 665600000L, 800000000L,
            1065600000L, 1331200000L, 1600000000L, 1866000000L);

    private final Path root;

    private FakeBoards(Path root) {
        this.root = root;
    }

    public static Path lay(Layout layout, Path root) {
        FakeBoards b = new FakeBoards(root);
        switch (layout) {
            case NANO_JP4 -> b.nano();
            case XAVIER_NX_JP4 -> b.xavierNx(false);
            case XAVIER_NX_JP5 -> b.xavierNx(true);
            case ORIN_NANO_JP6 -> b.orinNano();
            case TX2_L4T28 -> b.tx2();
            default -> throw new IllegalArgumentException(layout.toString());
        }
        return root;
    }

    public static void main(String[] args) {
        Layout layout = Layout.valueOf(args[0].toUpperCase().replace('-', '_'));
        System.out.println(lay(layout, Path.of(args[1])));
    }

    private void nano() {
        identity("NVIDIA Jetson Nano Developer Kit", "nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210",
                "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022");
        cpus(new int[][] {{0, 1, 2, 3}}, NANO_CPU_KHZ);
        gpu("sys/devices/57000000.gpu", "57000000.gpu", "gpu@57000000", "gpu", "nvidia,tegra210-gm20b\0nvidia,gm20b",
                "wmark_active nvhost_podgov userspace simple_ondemand", NANO_GPU_HZ);
        link("sys/devices/gpu.0", "57000000.gpu");
        iioRails("sys/devices/7000c400.i2c/i2c-6/6-0040", "6-0040", "iio:device0",
                new String[] {"POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"}, new int[] {5000, 5000, 5000}, new int[] {420, 60, 110});
        put("sys/kernel/debug/clk/override.emc/clk_rate", "1600000000");
        put("sys/kernel/debug/clk/override.emc/clk_state", "0");
        put("sys/kernel/debug/clk/override.emc/clk_update_rate", "0");
        put("sys/kernel/debug/clk/emc/clk_rate", "1600000000");
        put("sys/kernel/debug/tegra_bwmgr/emc_min_rate", "204000000");
        put("sys/kernel/debug/tegra_bwmgr/emc_max_rate", "1600000000");
        // the T210 EMC driver's table (L4T 32: rate in kHz under the header), then its transition counters
        put("sys/kernel/debug/tegra_emc/stats", "rate kHz   time\n" + T210_EMC_HZ.stream()
                .map(hz -> String.format("%-10d %-10d", hz / 1000, 1000 + hz / 1_000_000)).collect(Collectors.joining("\n"))
                + "\ntransitions:\t42\ntime-stamp:\t123456789");
        put("sys/kernel/actmon_avg_activity/mc_all", "0");
        thermal(new String[] {"AO-therm", "CPU-therm", "GPU-therm", "PLL-therm", "PMIC-Die", "thermal-fan-est"},
                new int[] {36500, 37000, 35500, 35000, 100000, 36300});
    }

    private void xavierNx(boolean jp5) {
        identity("NVIDIA Jetson Xavier NX Developer Kit", "nvidia,p3509-0000+p3668-0001\0nvidia,p3668-0001\0nvidia,tegra194",
                jp5 ? "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023"
                        : "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t186ref, EABI: aarch64, DATE: Sat Feb 19 17:07:00 UTC 2022");
        cpus(new int[][] {{0, 1}, {2, 3}, {4, 5}}, NX_CPU_KHZ);
        gpu("sys/devices/17000000.gv11b", "17000000.gv11b", "gpu@17000000", "gv11b", "nvidia,gv11b",
                "wmark_active nvhost_podgov userspace performance simple_ondemand", NX_GPU_HZ);
        link("sys/devices/gpu.0", "17000000.gv11b");
        // another devfreq node the scan must pass over
        put("sys/devices/15340000.vic/devfreq/15340000.vic/governor", "nvhost_podgov");
        put("sys/devices/15340000.vic/devfreq/15340000.vic/available_frequencies", "115200000 729600000");
        link("sys/devices/15340000.vic/devfreq/15340000.vic/device", "../../../15340000.vic");
        put("sys/firmware/devicetree/base/vic@15340000/name", "vic\0");
        link("sys/devices/15340000.vic/of_node", "../../firmware/devicetree/base/vic@15340000");
        link("sys/class/devfreq/15340000.vic", "../../devices/15340000.vic/devfreq/15340000.vic");
        String[] names = {"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"};
        if (jp5) {
            hwmonRails("sys/devices/platform/c250000.i2c/i2c-7/7-0040", "7-0040", 4, names,
                    new int[] {5008, 5000, 4992}, new int[] {880, 320, 410});
        } else {
            iioRails("sys/devices/c250000.i2c/i2c-7/7-0040", "7-0040", "iio:device0", names, new int[] {5008, 5000, 4992}, new int[] {880, 320, 410});
        }
        bpmpEmc(T194_EMC_HZ, !jp5);
        put("sys/kernel/nvpmodel_emc_cap/emc_iso_cap", "0");
        thermal(new String[] {"CPU-therm", "GPU-therm", "AUX-therm", "AO-therm", "PMIC-Die", "Tboard_tegra",
                "Tdiode_tegra", "thermal-fan-est"}, new int[] {41500, 40000, 40500, 39000, 100000, 35000, 38750, 40300});
    }

    private void orinNano() {
        identity("NVIDIA Jetson Orin Nano Developer Kit", "nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234",
                "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13 04:36:44 UTC 2024");
        cpus(new int[][] {{0, 1, 2, 3}, {4, 5}}, ORIN_NANO_CPU_KHZ);
        gpu("sys/devices/platform/bus@0/17000000.gpu", "17000000.gpu", "bus@0/gpu@17000000", "gpu", "nvidia,ga10b",
                "nvhost_podgov userspace performance simple_ondemand", ORIN_NANO_GPU_HZ);
        hwmonRails("sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040", "1-0040", 1,
                new String[] {"VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"}, new int[] {5016, 5000, 4992}, new int[] {1240, 260, 610});
        bpmpEmc(T194_EMC_HZ.subList(0, 7), false);
        put("sys/kernel/nvpmodel_emc_cap/emc_iso_cap", "0");
        thermal(new String[] {"cpu-thermal", "gpu-thermal", "cv0-thermal", "cv1-thermal", "soc0-thermal", "tj-thermal"},
                new int[] {44312, 43500, -256000, -256000, 42906, Integer.MIN_VALUE});
    }

    /** TX2 on L4T 28 (JetPack 3.3, kernel 4.4): the INA3221 IIO folders are named "iio_device". */
    private void tx2() {
        identity("quill", "nvidia,quill\0nvidia,tegra186",
                "# R28 (release), REVISION: 2.1, GCID: 11272647, BOARD: t186ref, EABI: aarch64, DATE: Thu May 17 07:29:06 UTC 2018");
        cpus(new int[][] {{0, 3, 4, 5}, {1, 2}}, TX2_CPU_KHZ);
        gpu("sys/devices/17000000.gp10b", "17000000.gp10b", "gpu@17000000", "gp10b", "nvidia,tegra186-gp10b",
                "wmark_active nvhost_podgov userspace performance simple_ondemand", TX2_GPU_HZ);
        iioRails("sys/devices/3160000.i2c/i2c-0/0-0040", "0-0040", "iio_device",
                new String[] {"VDD_SYS_GPU", "VDD_SYS_SOC", "VDD_4V0_WIFI"}, new int[] {5000, 5008, 4000}, new int[] {30, 150, 20});
        iioRails("sys/devices/3160000.i2c/i2c-0/0-0041", "0-0041", "iio_device",
                new String[] {"VDD_IN", "VDD_SYS_CPU", "VDD_SYS_DDR"}, new int[] {19096, 5000, 4992}, new int[] {200, 60, 90});
        bpmpEmc(T194_EMC_HZ.subList(0, 7), true);
        thermal(new String[] {"BCPU-therm", "MCPU-therm", "GPU-therm", "PLL-therm", "Tboard_tegra", "Tdiode_tegra",
                "PMIC-Die", "thermal-fan-est"}, new int[] {32500, 32500, 31000, 30500, 28000, 30250, 100000, 31200});
    }

    // ---- pieces

    private void identity(String model, String compatible, String release) {
        put("sys/firmware/devicetree/base/model", model + "\0");
        put("sys/firmware/devicetree/base/compatible", compatible + "\0");
        put("sys/firmware/devicetree/base/serial-number", "1422019012345\0"); // a Nano module's, as the kernel writes it
        link("proc/device-tree", "/sys/firmware/devicetree/base");
        put("etc/nv_tegra_release", release + "\n# KERNEL_VARIANT: oot\nTARGET_USERSPACE_LIB_DIR=nvidia\n");
        put("var/lib/nvpmodel/status", "pmode:0000 fmode:quiet");
    }

    private void cpus(int[][] clusters, List<Long> khz) {
        String base = "sys/devices/system/cpu";
        int count = 0;
        for (int[] cluster : clusters) {
            count += cluster.length;
        }
        put(base + "/online", "0-" + (count - 1));
        put(base + "/possible", "0-" + (count - 1));
        for (int[] cluster : clusters) {
            String policy = base + "/cpufreq/policy" + cluster[0];
            put(policy + "/scaling_governor", "schedutil");
            put(policy + "/scaling_available_governors", "conservative ondemand userspace powersave performance schedutil");
            put(policy + "/scaling_available_frequencies", join(khz) + " ");
            put(policy + "/scaling_min_freq", khz.get(0).toString());
            put(policy + "/scaling_max_freq", khz.get(khz.size() - 1).toString());
            put(policy + "/scaling_cur_freq", khz.get(khz.size() - 1).toString());
            put(policy + "/cpuinfo_cur_freq", khz.get(khz.size() - 1).toString());
            put(policy + "/cpuinfo_min_freq", khz.get(0).toString());
            put(policy + "/cpuinfo_max_freq", khz.get(khz.size() - 1).toString());
            put(policy + "/scaling_setspeed", "<unsupported>");
            put(policy + "/scaling_driver", "tegra194");
            put(policy + "/related_cpus", java.util.Arrays.stream(cluster).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
            put(policy + "/affected_cpus", java.util.Arrays.stream(cluster).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
            for (int cpu : cluster) {
                put(base + "/cpu" + cpu + "/online", "1");
                link(base + "/cpu" + cpu + "/cpufreq", "../cpufreq/policy" + cluster[0]);
            }
        }
    }

    private void gpu(String deviceDir, String name, String ofNode, String ofName, String compatible, String governors,
                     List<Long> hz) {
        String devfreq = deviceDir + "/devfreq/" + name;
        put(devfreq + "/governor", "nvhost_podgov");
        put(devfreq + "/available_governors", governors);
        put(devfreq + "/available_frequencies", join(hz));
        put(devfreq + "/min_freq", hz.get(0).toString());
        put(devfreq + "/max_freq", hz.get(hz.size() - 1).toString());
        put(devfreq + "/cur_freq", hz.get(hz.size() - 1).toString());
        put(devfreq + "/target_freq", hz.get(hz.size() - 1).toString());
        put(devfreq + "/polling_interval", "0");
        link(devfreq + "/device", "../../../" + Path.of(deviceDir).getFileName());
        put(deviceDir + "/load", "0");
        put(deviceDir + "/railgate_enable", "1");
        put(deviceDir + "/enable_3d_scaling", "1");
        put("sys/firmware/devicetree/base/" + ofNode + "/name", ofName + "\0");
        put("sys/firmware/devicetree/base/" + ofNode + "/compatible", compatible + "\0");
        link(deviceDir + "/of_node", up(deviceDir) + "firmware/devicetree/base/" + ofNode);
        link("sys/class/devfreq/" + name, "../../" + devfreq.substring("sys/".length()));
    }

    private void iioRails(String chipDir, String chip, String folder, String[] names, int[] millivolts, int[] milliamps) {
        String iio = chipDir + "/" + folder;
        put(chipDir + "/name", "ina3221x");
        for (int i = 0; i < names.length; i++) {
            put(iio + "/rail_name_" + i, names[i]);
            put(iio + "/in_voltage" + i + "_input", Integer.toString(millivolts[i]));
            put(iio + "/in_current" + i + "_input", Integer.toString(milliamps[i]));
            put(iio + "/in_power" + i + "_input", Integer.toString(millivolts[i] * milliamps[i] / 1000));
            put(iio + "/crit_current_limit_" + i, "4000 ma");
            put(iio + "/warn_current_limit_" + i, "3000 ma");
        }
        put(iio + "/running_mode", "1");
        link("sys/bus/i2c/drivers/ina3221x/" + chip, "../../../../" + chipDir.substring("sys/".length()));
    }

    private void hwmonRails(String chipDir, String chip, int hwmonIndex, String[] names, int[] millivolts, int[] milliamps) {
        String hwmon = chipDir + "/hwmon/hwmon" + hwmonIndex;
        put(chipDir + "/name", "ina3221");
        put(hwmon + "/name", "ina3221");
        for (int i = 0; i < names.length; i++) {
            int ch = i + 1;
            put(hwmon + "/in" + ch + "_label", names[i]);
            put(hwmon + "/in" + ch + "_input", Integer.toString(millivolts[i]));
            put(hwmon + "/curr" + ch + "_input", Integer.toString(milliamps[i]));
            put(hwmon + "/curr" + ch + "_crit", "7784");
            put(hwmon + "/curr" + ch + "_max", "7784");
            put(hwmon + "/shunt" + ch + "_resistor", "5000");
            put(hwmon + "/in" + (ch + 3) + "_input", Integer.toString(milliamps[i] * 5));
        }
        put(hwmon + "/in7_label", "sum of shunt voltages");
        put(hwmon + "/in7_input", "9000");
        put(hwmon + "/update_interval", "1");
        link("sys/class/hwmon/hwmon" + hwmonIndex, "../../" + hwmon.substring("sys/".length()));
        link("sys/bus/i2c/drivers/ina3221/" + chip, "../../../../" + chipDir.substring("sys/".length()));
    }

    /**
     * The BPMP's EMC clock with its rate table: in Hz as {@code clk/emc/possible_rates}, or ({@code khzTable}) in kHz
     * with a {@code (kHz)} suffix as {@code bpmp/debug/emc/possible_rates}, as boards have been seen to print it.
     */
    private void bpmpEmc(List<Long> hz, boolean khzTable) {
        String emc = "sys/kernel/debug/bpmp/debug/clk/emc";
        put(emc + "/rate", hz.get(hz.size() - 1).toString());
        put(emc + "/min_rate", hz.get(0).toString());
        put(emc + "/max_rate", hz.get(hz.size() - 1).toString());
        put(emc + "/mrq_rate_locked", "0");
        if (khzTable) {
            put("sys/kernel/debug/bpmp/debug/emc/possible_rates",
                    hz.stream().map(h -> Long.toString(h / 1000)).collect(Collectors.joining(" ")) + " (kHz)");
        } else {
            put(emc + "/possible_rates", join(hz));
        }
    }

    private void thermal(String[] types, int[] milliC) {
        for (int i = 0; i < types.length; i++) {
            String zone = "sys/devices/virtual/thermal/thermal_zone" + i;
            put(zone + "/type", types[i]);
            put(zone + "/temp", milliC[i] == Integer.MIN_VALUE ? "" : Integer.toString(milliC[i]));
            put(zone + "/mode", "enabled");
            put(zone + "/policy", "step_wise");
            String t = types[i].toLowerCase();
            if (t.startsWith("cpu") || t.startsWith("gpu")) {
                trip(zone, 0, "critical", 102500, 0);
                trip(zone, 1, "hot", 100000, 0);
                trip(zone, 2, "passive", 97000, 2000);
            } else if (t.startsWith("thermal-fan")) {
                trip(zone, 0, "active", 51000, 9000);
                trip(zone, 1, "active", 61000, 9000);
            }
            link("sys/class/thermal/thermal_zone" + i, "../../devices/virtual/thermal/thermal_zone" + i);
        }
    }

    private void trip(String zone, int k, String type, int milliC, int hyst) {
        put(zone + "/trip_point_" + k + "_temp", Integer.toString(milliC));
        put(zone + "/trip_point_" + k + "_type", type);
        put(zone + "/trip_point_" + k + "_hyst", Integer.toString(hyst));
    }

    // ---- files

    public static String join(List<Long> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(" "));
    }

    /** "../" from {@code dir} up to sys/. */
    private static String up(String dir) {
        int depth = Path.of(dir).getNameCount() - 1;
        return "../".repeat(depth);
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
