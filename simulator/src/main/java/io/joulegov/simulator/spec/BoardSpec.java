package io.joulegov.simulator.spec;

import io.joulegov.device.board.Emc;
import io.joulegov.device.board.RailRole;

import java.util.List;
import java.util.Map;

/**
 * Everything that makes one virtual board: how its sysfs tree is laid out (identity, CPU clusters, GPU node, EMC,
 * power monitor, thermal zones) and the calibrated model behind the files (power, heat, workloads).
 */
public record BoardSpec(String name, Identity identity, Cpu cpu, Gpu gpu, Memory emc, PowerMonitor rails,
                        List<Zone> zones, Power power, List<PowerMode> modes, Map<String, WorkloadModel> workloads) {

    /**
     * An nvpmodel power mode: the caps it writes (CPU kHz, GPU Hz; nvpmodel writes values the kernel rounds down
     * to a table entry) and the CPUs it leaves online. Mode 0 is the default.
     */
    public record PowerMode(int id, String name, long cpuMaxKHz, long gpuMaxHz, int cpusOnline) {
    }

    /**
     * Device-tree model and compatible strings, the first line of /etc/nv_tegra_release, and the device-tree serial
     * number (which unit of its kind this board is).
     */
    public record Identity(String model, String compatible, String release, String serial) {
    }

    /** CPU clusters (each one cpufreq policy, named after its first CPU) sharing one frequency table (kHz). */
    public record Cpu(List<int[]> clusters, List<Long> frequenciesKHz, String driver) {
        public long maxKHz() {
            return frequenciesKHz.get(frequenciesKHz.size() - 1);
        }
    }

    /**
     * The GPU: its platform device directory (under sys/), the devfreq node name, the device-tree node it links to
     * (with its name and compatible strings), the devfreq governors the kernel offers, and the table (Hz).
     */
    public record Gpu(String deviceDir, String name, String ofNode, String ofName, String compatible,
                      String governors, List<Long> frequenciesHz, String alias) {
        public long maxHz() {
            return frequenciesHz.get(frequenciesHz.size() - 1);
        }
    }

    /** The memory clock: which debugfs interface, and its rates (Hz). */
    public record Memory(Emc.Interface kind, List<Long> ratesHz) {
        public long maxHz() {
            return ratesHz.get(ratesHz.size() - 1);
        }
    }

    /**
     * The INA3221: JetPack 4 IIO ({@code hwmon = false}) or JetPack 5+ hwmon, the chip's device directory, its i2c
     * name ({@code 6-0040}), the hwmon index, and the rails on channels 1-3 with what each one measures.
     */
    public record PowerMonitor(boolean hwmon, String chipDir, String chip, int hwmonIndex, List<String> names,
                               List<RailRole> roles, double busVolts) {
    }

    /**
     * A thermal zone heated by the board's power: it settles {@code kPerWatt} kelvin above ambient per watt with time
     * constant {@code tauSeconds}. Trip points in C; an offline zone reads -256 C, as some Orin zones do.
     */
    public record Zone(String name, double kPerWatt, double tauSeconds, List<Trip> trips, boolean offline) {
    }

    public record Trip(String type, double celsius, double hysteresis) {
    }

    /**
     * The power model: board static power while running and while idle, the CPU and GPU domains, and the memory
     * (EMC) power at its top rate, which scales with the rate.
     */
    public record Power(double staticWatts, double idleWatts, DomainPower cpu, DomainPower gpu, double emcWattsAtMax,
                        double ambientC) {
    }

    /** The power mode with the lowest caps (5 W on the Nano, 10 W on the Xavier NX, 7 W on the Orin Nano). */
    public PowerMode lowestPowerMode() {
        return modes.stream().min(java.util.Comparator.comparingLong(PowerMode::gpuMaxHz)
                .thenComparingLong(PowerMode::cpuMaxKHz)).orElseThrow();
    }

    /** This board as unit {@code n} of its kind (unit 0 is the calibrated board itself): see {@link UnitVariation}. */
    public BoardSpec unit(int n) {
        return UnitVariation.of(n).applyTo(this);
    }

    public WorkloadModel workload(String name) {
        WorkloadModel w = workloads.get(name);
        if (w == null) {
            throw new IllegalArgumentException("unknown workload '" + name + "' (known: "
                    + String.join(", ", workloads.keySet()) + ")");
        }
        return w;
    }
}
