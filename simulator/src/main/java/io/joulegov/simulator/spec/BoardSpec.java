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
                        List<Zone> zones, Power power, Settling settling, List<PowerMode> modes,
                        Map<String, WorkloadModel> workloads) {

    /**
     * An nvpmodel power mode: the caps it writes (CPU kHz, GPU Hz, EMC Hz with 0 for none; nvpmodel writes values
     * the kernel rounds down to a table entry) and the CPUs it leaves online. The first mode listed is the one the
     * board boots in.
     */
    public record PowerMode(int id, String name, long cpuMaxKHz, long gpuMaxHz, long emcMaxHz, int cpusOnline) {
    }

    /**
     * How long a new clock takes to take effect after it is asked for (ns), per domain: the time the PLL and the
     * voltage need. An inference begun meanwhile runs at the old clocks until then.
     */
    public record Settling(long cpuNanos, long gpuNanos, long emcNanos) {
        public static final Settling INSTANT = new Settling(0, 0, 0);
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

    /**
     * The memory clock: which debugfs interface, its rates (Hz), and how the kernel scales it while it is not locked
     * ({@code actmon}; null: at the top while the GPU is busy, at the bottom once idle).
     */
    public record Memory(Emc.Interface kind, List<Long> ratesHz, Actmon actmon) {
        public long maxHz() {
            return ratesHz.get(ratesHz.size() - 1);
        }
    }

    /**
     * The kernel's activity monitor (actmon) scaling an unlocked EMC: every {@code periodNanos} it averages the memory
     * traffic it counted (an exponential average with time constant {@code tauNanos}: the lag) and sets the lowest
     * rate whose utilisation by that traffic stays at most {@code utilisation}. Traffic is what inference moves: at the
     * top clocks a workload whose exposed memory time is a share m of its latency moves {@code overlap x m} of the top
     * rate's bandwidth (most memory traffic overlaps computation; only a part of it stalls).
     */
    public record Actmon(long periodNanos, double tauNanos, double utilisation, double overlap) {
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

    /** The mode the board boots in. */
    public PowerMode defaultMode() {
        return modes.get(0);
    }

    /** Every mode but the one it boots in. */
    public List<PowerMode> otherModes() {
        return modes.subList(1, modes.size());
    }

    /** The power mode with the lowest caps (5 W on the Nano, 10 W on the Xavier NX, 7 W on the Orin Nanos). */
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
