package io.joulegov.simulator.spec;

import io.joulegov.device.board.Emc;
import io.joulegov.device.board.RailRole;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The virtual boards, laid out as the real boards of their kind (docs/DESIGN.md). Model parameters were fitted
 * (simulator/calibration/fit.py) so that, against the top clocks, the minimum-energy CPU/GPU pair of each workload
 * saves what the founding study measured for default DVFS on the Nano (13, 19, 15, 9, 17, 17%) at 28-35% more
 * latency, and between 2 and 15% on the Xavier NX; the calibration tests check the same against the emulated
 * default governors. Savings on a virtual board come from this calibration, not from measurement.
 */
public final class Boards {

    public static final List<String> NAMES = List.of("nano", "xavier-nx", "orin-nano", "orin-nano-super");
    /** The boards the founding study measured, whose calibration reproduces it. */
    public static final List<String> FOUNDING_STUDY = List.of("nano", "xavier-nx");
    public static final List<String> WORKLOADS = List.of("alexnet", "resnet18", "mobilenet-v2", "yolov4-tiny",
            "bert-tiny", "distilbert");

    /**
     * The loads the default governors see at the top clocks, with the per-inference jitter of VirtualBoard: set so
     * that back-to-back inference on the Nano holds the top CPU clock about 89% and the top GPU clock about 83% of
     * the time, as the founding study observed.
     */
    static final double CPU_LOAD = 0.825;
    static final double GPU_LOAD = 0.695;

    private static final long[] IMAGE = {1, 3, 224, 224};
    private static final long[] YOLO = {1, 3, 416, 416};
    private static final long[] TOKENS = {1, 128};

    private Boards() {
    }

    public static BoardSpec byName(String name) {
        return switch (name) {
            case "nano" -> nano();
            case "xavier-nx" -> xavierNx();
            case "orin-nano" -> orinNano();
            case "orin-nano-super" -> orinNanoSuper();
            default -> throw new IllegalArgumentException("unknown virtual board '" + name + "' (known: "
                    + String.join(", ", NAMES) + ")");
        };
    }

    public static BoardSpec nano() {
        List<Long> cpu = List.of(102000L, 204000L, 307200L, 403200L, 518400L, 614400L, 710400L, 825600L, 921600L,
                1036800L, 1132800L, 1224000L, 1326000L, 1428000L, 1479000L);
        List<Long> gpu = List.of(76800000L, 153600000L, 230400000L, 307200000L, 384000000L, 460800000L,
                537600000L, 614400000L, 691200000L, 768000000L, 844800000L, 921600000L);
        return new BoardSpec("nano",
                new BoardSpec.Identity("NVIDIA Jetson Nano Developer Kit", "nvidia,p3450-0000\0nvidia,jetson-nano\0nvidia,tegra210",
                        "# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022", UnitVariation.serial("nano", 0)),
                new BoardSpec.Cpu(List.of(new int[] {0, 1, 2, 3}), cpu, "tegra210"),
                new BoardSpec.Gpu("sys/devices/57000000.gpu", "57000000.gpu", "gpu@57000000", "gpu",
                        "nvidia,tegra210-gm20b\0nvidia,gm20b", "wmark_active nvhost_podgov userspace simple_ondemand", gpu, "gpu.0"),
                new BoardSpec.Memory(Emc.Interface.T210_OVERRIDE, List.of(204000000L, 408000000L, 665600000L,
                        800000000L, 1065600000L, 1331200000L, 1600000000L), null),
                new BoardSpec.PowerMonitor(false, "sys/devices/7000c400.i2c/i2c-6/6-0040", "6-0040", 0,
                        List.of("POM_5V_IN", "POM_5V_GPU", "POM_5V_CPU"), List.of(RailRole.TOTAL, RailRole.GPU, RailRole.CPU), 5.0),
                List.of(zone("AO-therm", 3.4, false, List.of()),
                        zone("CPU-therm", 4.5, false, soc()),
                        zone("GPU-therm", 4.3, false, soc()),
                        zone("PLL-therm", 3.8, false, List.of()),
                        zone("PMIC-Die", 2.0, false, List.of()),
                        zone("thermal-fan-est", 4.2, false, fan())),
                new BoardSpec.Power(1.2, 0.9,
                        new DomainPower(9.0e-4, 0.1e-3, 0.80, 1.23, 400, 1479),
                        new DomainPower(3.0e-3, 0.25e-3, 0.80, 1.10, 300, 921.6), 0.4, 25),
                BoardSpec.Settling.INSTANT,
                List.of(new BoardSpec.PowerMode(0, "MAXN", 2147483647L, 2147483647L, 0, 4),
                        new BoardSpec.PowerMode(1, "5W", 918000L, 640000000L, 0, 2)),
                workloads(
                        w("alexnet", 3.000, 18.267, 2.733, 1.000, 0.496, 0.809, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("resnet18", 3.000, 19.455, 6.345, 1.200, 0.721, 0.964, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("mobilenet-v2", 6.250, 12.243, 5.507, 1.000, 0.808, 0.605, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("yolov4-tiny", 11.000, 25.858, 15.942, 2.200, 0.266, 1.237, CPU_LOAD, GPU_LOAD, YOLO),
                        w("bert-tiny", 2.800, 1.680, 3.200, 0.320, 1.000, 0.344, CPU_LOAD, GPU_LOAD, TOKENS),
                        w("distilbert", 7.200, 45.025, 34.175, 3.600, 0.474, 1.120, CPU_LOAD, GPU_LOAD, TOKENS)));
    }

    public static BoardSpec xavierNx() {
        List<Long> cpu = List.of(115200L, 192000L, 268800L, 345600L, 422400L, 499200L, 576000L, 652800L, 729600L,
                806400L, 883200L, 960000L, 1036800L, 1113600L, 1190400L, 1267200L, 1344000L, 1420800L, 1497600L,
                1574400L, 1651200L, 1728000L, 1804800L, 1881600L, 1907200L);
        List<Long> gpu = List.of(114750000L, 204000000L, 306000000L, 408000000L, 510000000L, 599250000L, 701250000L,
                752250000L, 803250000L, 854250000L, 905250000L, 956250000L, 1007250000L, 1058250000L, 1109250000L);
        return new BoardSpec("xavier-nx",
                new BoardSpec.Identity("NVIDIA Jetson Xavier NX Developer Kit", "nvidia,p3509-0000+p3668-0001\0nvidia,p3668-0001\0nvidia,tegra194",
                        "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023", UnitVariation.serial("xavier-nx", 0)),
                new BoardSpec.Cpu(List.of(new int[] {0, 1}, new int[] {2, 3}, new int[] {4, 5}), cpu, "tegra194"),
                new BoardSpec.Gpu("sys/devices/17000000.gv11b", "17000000.gv11b", "gpu@17000000", "gv11b", "nvidia,gv11b",
                        "wmark_active nvhost_podgov userspace performance simple_ondemand", gpu, "gpu.0"),
                new BoardSpec.Memory(Emc.Interface.BPMP, List.of(204000000L, 408000000L, 665600000L, 800000000L,
                        1065600000L, 1331200000L, 1600000000L, 1866000000L), null),
                new BoardSpec.PowerMonitor(true, "sys/devices/platform/c250000.i2c/i2c-7/7-0040", "7-0040", 4,
                        List.of("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"), List.of(RailRole.TOTAL, RailRole.CPU_GPU, RailRole.SOC), 5.0),
                List.of(zone("CPU-therm", 3.2, false, soc()),
                        zone("GPU-therm", 3.0, false, soc()),
                        zone("AUX-therm", 2.8, false, soc()),
                        zone("AO-therm", 2.5, false, List.of()),
                        zone("PMIC-Die", 1.5, false, List.of()),
                        zone("Tboard_tegra", 1.8, false, List.of()),
                        zone("Tdiode_tegra", 2.6, false, List.of()),
                        zone("thermal-fan-est", 2.9, false, fan())),
                new BoardSpec.Power(2.1, 1.6,
                        new DomainPower(7.0e-4, 0.15e-3, 0.62, 1.10, 900, 1907.2),
                        new DomainPower(3.2e-3, 0.3e-3, 0.62, 1.05, 500, 1109.25), 0.5, 25),
                BoardSpec.Settling.INSTANT,
                List.of(new BoardSpec.PowerMode(0, "MODE_15W_2CORE", 1907200L, 1109250000L, 0, 2),
                        new BoardSpec.PowerMode(4, "MODE_10W_4CORE", 1190400L, 803250000L, 0, 4)),
                workloads(
                        w("alexnet", 1.800, 9.712, 0.008, 0.480, 0.005, 0.751, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("resnet18", 1.680, 10.049, 1.711, 0.560, 0.410, 0.888, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("mobilenet-v2", 2.640, 4.984, 3.896, 0.480, 0.723, 0.893, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("yolov4-tiny", 4.500, 18.776, 0.724, 1.000, 0.064, 0.754, CPU_LOAD, GPU_LOAD, YOLO),
                        w("bert-tiny", 1.750, 2.315, 0.735, 0.200, 0.549, 0.830, CPU_LOAD, GPU_LOAD, TOKENS),
                        w("distilbert", 4.000, 30.961, 3.439, 1.600, 0.253, 0.846, CPU_LOAD, GPU_LOAD, TOKENS)));
    }

    /** Orin Nano (JetPack 6): layout from the reference; its model is plausible, not calibrated against a study. */
    public static BoardSpec orinNano() {
        List<Long> cpu = List.of(115200L, 192000L, 268800L, 345600L, 422400L, 499200L, 576000L, 652800L, 729600L,
                806400L, 883200L, 960000L, 1036800L, 1113600L, 1190400L, 1267200L, 1344000L, 1420800L, 1497600L, 1510400L);
        List<Long> gpu = List.of(306000000L, 408000000L, 510000000L, 612000000L, 624750000L);
        return new BoardSpec("orin-nano",
                new BoardSpec.Identity("NVIDIA Jetson Orin Nano Developer Kit", "nvidia,p3768-0000+p3767-0005\0nvidia,p3767-0005\0nvidia,tegra234",
                        "# R36 (release), REVISION: 4.0, GCID: 37537400, BOARD: generic, EABI: aarch64, DATE: Fri Sep 13 04:36:44 UTC 2024", UnitVariation.serial("orin-nano", 0)),
                new BoardSpec.Cpu(List.of(new int[] {0, 1, 2, 3}, new int[] {4, 5}), cpu, "tegra194"),
                new BoardSpec.Gpu("sys/devices/platform/bus@0/17000000.gpu", "17000000.gpu", "bus@0/gpu@17000000", "gpu",
                        "nvidia,ga10b", "nvhost_podgov userspace performance simple_ondemand", gpu, null),
                new BoardSpec.Memory(Emc.Interface.BPMP, List.of(204000000L, 408000000L, 665600000L, 800000000L,
                        1065600000L, 1331200000L, 1600000000L, 2133000000L), null),
                new BoardSpec.PowerMonitor(true, "sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040", "1-0040", 1,
                        List.of("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"), List.of(RailRole.TOTAL, RailRole.CPU_GPU, RailRole.SOC), 5.0),
                List.of(zone("cpu-thermal", 3.0, false, soc()),
                        zone("gpu-thermal", 2.9, false, soc()),
                        zone("cv0-thermal", 0, true, List.of()),
                        zone("cv1-thermal", 0, true, List.of()),
                        zone("soc0-thermal", 2.7, false, soc()),
                        zone("tj-thermal", 3.1, false, soc())),
                new BoardSpec.Power(2.4, 2.0,
                        new DomainPower(6.0e-4, 0.15e-3, 0.60, 0.95, 700, 1510.4),
                        new DomainPower(5.0e-3, 0.4e-3, 0.60, 0.85, 400, 624.75), 0.6, 25),
                BoardSpec.Settling.INSTANT,
                List.of(new BoardSpec.PowerMode(0, "15W", 2147483647L, 2147483647L, 0, 6),
                        new BoardSpec.PowerMode(1, "7W", 960000L, 408000000L, 0, 4)),
                workloads(
                        w("alexnet", 1.200, 4.136, 2.344, 0.320, 0.178, 1.911, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("resnet18", 1.080, 7.560, 0.000, 0.360, 0.991, 1.538, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("mobilenet-v2", 1.760, 4.108, 1.812, 0.320, 0.253, 2.256, CPU_LOAD, GPU_LOAD, IMAGE),
                        w("yolov4-tiny", 2.880, 8.005, 4.475, 0.640, 0.153, 1.906, CPU_LOAD, GPU_LOAD, YOLO),
                        w("bert-tiny", 1.050, 1.654, 0.176, 0.120, 0.250, 2.217, CPU_LOAD, GPU_LOAD, TOKENS),
                        w("distilbert", 2.500, 21.500, 0.000, 1.000, 0.775, 1.445, CPU_LOAD, GPU_LOAD, TOKENS)));
    }

    /**
     * Orin Nano Super (JetPack 6.2): the Orin Nano's layout with the Super's clocks and power modes, the kernel's
     * actmon scaling of the EMC with its lag, and each domain's settling time. Sourced (simulator/README.md):
     * CPU to 1.7 GHz, GPU to 1020 MHz, EMC to 3199 MHz; the modes' caps; settling 1 / 5 / 8 ms; the EMC moving
     * median latency by 11-48% by workload (here between its lowest and top rate at the top CPU and GPU clocks).
     * Plausible (no published figure): the intermediate table steps, per-domain power, actmon's period, lag and
     * target, and the workloads' split of their time (simulator/README.md).
     */
    public static BoardSpec orinNanoSuper() {
        List<Long> cpu = List.of(115200L, 192000L, 268800L, 345600L, 422400L, 499200L, 576000L, 652800L, 729600L,
                806400L, 883200L, 960000L, 1036800L, 1113600L, 1190400L, 1267200L, 1344000L, 1420800L, 1497600L,
                1574400L, 1651200L, 1728000L);
        List<Long> gpu = List.of(306000000L, 408000000L, 510000000L, 612000000L, 714000000L, 816000000L, 918000000L,
                1020000000L);
        return new BoardSpec("orin-nano-super",
                new BoardSpec.Identity("NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super",
                        "nvidia,p3768-0000+p3767-0005-super\0nvidia,p3767-0005\0nvidia,tegra234",
                        "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025", UnitVariation.serial("orin-nano-super", 0)),
                new BoardSpec.Cpu(List.of(new int[] {0, 1, 2, 3}, new int[] {4, 5}), cpu, "tegra194"),
                new BoardSpec.Gpu("sys/devices/platform/bus@0/17000000.gpu", "17000000.gpu", "bus@0/gpu@17000000", "gpu",
                        "nvidia,ga10b", "nvhost_podgov userspace performance simple_ondemand", gpu, null),
                new BoardSpec.Memory(Emc.Interface.BPMP, List.of(204000000L, 665600000L, 2133000000L, 3199000000L),
                        new BoardSpec.Actmon(10_000_000L, 50e6, ACTMON_UTILISATION, ACTMON_OVERLAP)),
                new BoardSpec.PowerMonitor(true, "sys/devices/platform/bus@0/c240000.i2c/i2c-1/1-0040", "1-0040", 1,
                        List.of("VDD_IN", "VDD_CPU_GPU_CV", "VDD_SOC"), List.of(RailRole.TOTAL, RailRole.CPU_GPU, RailRole.SOC), 5.0),
                List.of(zone("cpu-thermal", 2.6, false, soc()),
                        zone("gpu-thermal", 2.5, false, soc()),
                        zone("cv0-thermal", 0, true, List.of()),
                        zone("cv1-thermal", 0, true, List.of()),
                        zone("soc0-thermal", 2.3, false, soc()),
                        zone("tj-thermal", 2.7, false, soc())),
                new BoardSpec.Power(ORIN_STATIC_W, ORIN_IDLE_W,
                        new DomainPower(ORIN_CPU_K, 0.15e-3, 0.60, 1.00, ORIN_CPU_KNEE, 1728),
                        new DomainPower(ORIN_GPU_K, 0.45e-3, 0.60, ORIN_GPU_VMAX, ORIN_GPU_KNEE, 1020), ORIN_EMC_W, 25),
                new BoardSpec.Settling(1_000_000L, 5_000_000L, 8_000_000L),
                List.of(new BoardSpec.PowerMode(2, "MAXN_SUPER", 2147483647L, 2147483647L, 0, 6),
                        new BoardSpec.PowerMode(0, "15W", 1510400L, 612000000L, 2133000000L, 6),
                        new BoardSpec.PowerMode(1, "25W", 1728000L, 918000000L, 3199000000L, 6),
                        new BoardSpec.PowerMode(3, "7W", 960000L, 408000000L, 2133000000L, 4)),
                workloads(
                        orin("alexnet", 1.05, 2.53, 0.48, 0.28, 0.178, 1.911, IMAGE),
                        orin("resnet18", 0.95, 4.63, 0.24, 0.32, 0.991, 1.538, IMAGE),
                        orin("mobilenet-v2", 1.54, 2.52, 0.36, 0.28, 0.253, 2.256, IMAGE),
                        orin("yolov4-tiny", 2.52, 4.90, 0.18, 0.56, 0.153, 1.906, YOLO),
                        orin("bert-tiny", 0.92, 1.01, 0.11, 0.10, 0.250, 2.217, TOKENS),
                        orin("distilbert", 2.19, 13.2, 0.30, 0.88, 0.775, 1.445, TOKENS)));
    }

    static final double ACTMON_UTILISATION = 0.6;
    static final double ACTMON_OVERLAP = 15;
    static final double ORIN_STATIC_W = 2.8;
    static final double ORIN_IDLE_W = 2.2;
    static final double ORIN_CPU_K = 6.0e-4;
    static final double ORIN_CPU_KNEE = 800;
    static final double ORIN_GPU_K = 5.5e-3;
    static final double ORIN_GPU_VMAX = 0.90;
    static final double ORIN_GPU_KNEE = 500;
    static final double ORIN_EMC_W = 1.6;

    /**
     * An Orin Nano Super workload from its CPU, GPU and fixed parts at the top clocks and how much slower it runs
     * with the EMC at its lowest rate ({@code emcSlowdown}): its memory part follows from that.
     */
    private static WorkloadModel orin(String name, double cpuMs, double gpuMs, double emcSlowdown, double fixedMs,
                                      double cpuSpin, double gpuActivity, long[] shape) {
        double lowest = 3199.0 / 204.0;
        double rest = cpuMs + gpuMs + fixedMs;
        double memMs = emcSlowdown * rest / (lowest - 1 - emcSlowdown);
        return new WorkloadModel(name, cpuMs, gpuMs, memMs, fixedMs, cpuSpin, gpuActivity, CPU_LOAD, GPU_LOAD, shape);
    }

    private static BoardSpec.Zone zone(String name, double kPerWatt, boolean offline, List<BoardSpec.Trip> trips) {
        return new BoardSpec.Zone(name, kPerWatt, 10, trips, offline);
    }

    /** SoC zones: throttling starts at the passive trip. */
    private static List<BoardSpec.Trip> soc() {
        return List.of(new BoardSpec.Trip("critical", 102.5, 0), new BoardSpec.Trip("hot", 100, 0),
                new BoardSpec.Trip("passive", 97, 2));
    }

    private static List<BoardSpec.Trip> fan() {
        return List.of(new BoardSpec.Trip("active", 51, 9), new BoardSpec.Trip("active", 61, 9));
    }

    private static WorkloadModel w(String name, double cpuMs, double gpuMs, double memMs, double fixedMs,
                                   double cpuSpin, double gpuActivity, double cpuLoad, double gpuLoad, long[] shape) {
        return new WorkloadModel(name, cpuMs, gpuMs, memMs, fixedMs, cpuSpin, gpuActivity, cpuLoad, gpuLoad, shape);
    }

    private static Map<String, WorkloadModel> workloads(WorkloadModel... models) {
        Map<String, WorkloadModel> out = new LinkedHashMap<>();
        for (WorkloadModel m : models) {
            out.put(m.name(), m);
        }
        return out;
    }
}
