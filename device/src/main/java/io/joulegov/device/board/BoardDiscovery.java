package io.joulegov.device.board;

import io.joulegov.device.DeviceException;
import io.joulegov.device.sysfs.SysRoot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a board's knobs, rails and thermal zones by scanning under a root, the way NVIDIA's own tools do
 * (jetson_clocks, jtop, nvpmodel): never one hard-coded path per board.
 */
public final class BoardDiscovery {

    private static final Pattern TRAILING_NUMBER = Pattern.compile("(\\d+)$");
    private static final Pattern TRIP_TEMP = Pattern.compile("trip_point_(\\d+)_temp");
    private static final List<String> GPU_NODE_NAMES = List.of("gv11b", "gp10b", "ga10b", "gb10b", "gpu");

    private final SysRoot root;

    private BoardDiscovery(SysRoot root) {
        this.root = root;
    }

    public static Board discover(SysRoot root) {
        return new BoardDiscovery(root).discover();
    }

    private Board discover() {
        if (!root.exists(root.path("sys/devices/system/cpu"))) {
            throw new DeviceException(root + " is not a board root: there is no sys/devices/system/cpu under it");
        }
        return new Board(root, BoardIdentity.read(root), cpuPolicies(), gpu(), emc(), rails(), thermalZones());
    }

    // ---- CPU

    private List<CpuPolicy> cpuPolicies() {
        Path cpuDir = root.path("sys/devices/system/cpu");
        Map<Path, List<Integer>> cpusByPolicy = new LinkedHashMap<>();
        for (Path cpu : root.list(cpuDir, "cpu[0-9]*")) {
            Path freq = cpu.resolve("cpufreq");
            if (root.exists(freq)) {
                cpusByPolicy.computeIfAbsent(root.resolve(freq), k -> new ArrayList<>()).add(trailingNumber(cpu));
            }
        }
        TreeSet<Path> policyDirs = new TreeSet<>(Comparator.comparingInt(BoardDiscovery::trailingNumber));
        for (Path policy : root.list(cpuDir.resolve("cpufreq"), "policy*")) {
            policyDirs.add(root.resolve(policy));
        }
        if (policyDirs.isEmpty()) {
            policyDirs.addAll(cpusByPolicy.keySet());
        }
        List<CpuPolicy> policies = new ArrayList<>();
        for (Path dir : policyDirs) {
            List<Integer> cpus = root.read(dir.resolve("related_cpus")).map(BoardDiscovery::integers)
                    .filter(l -> !l.isEmpty()).orElseGet(() -> cpusByPolicy.getOrDefault(dir, List.of()));
            String name = dir.getFileName().toString().startsWith("policy") ? dir.getFileName().toString()
                    : "policy" + (cpus.isEmpty() ? 0 : cpus.get(0));
            policies.add(new CpuPolicy(name, dir, cpus,
                    root.readRequired(dir.resolve("scaling_governor")),
                    words(root.read(dir.resolve("scaling_available_governors")).orElse("")),
                    frequencies(dir.resolve("scaling_available_frequencies")),
                    root.readLong(dir.resolve("scaling_min_freq")),
                    root.readLong(dir.resolve("scaling_max_freq")),
                    root.exists(dir.resolve("scaling_setspeed"))));
        }
        return policies;
    }

    // ---- GPU

    private Optional<GpuDevfreq> gpu() {
        for (Path entry : root.list(root.path("sys/class/devfreq"), "*")) {
            Path device = root.resolve(entry.resolve("device"));
            String nodeName = root.read(device.resolve("of_node/name")).orElse("").toLowerCase(Locale.ROOT);
            String compatible = root.read(device.resolve("of_node/compatible")).orElse("").toLowerCase(Locale.ROOT);
            boolean gpu = GPU_NODE_NAMES.contains(nodeName) || nodeName.contains("gpu")
                    || compatible.matches(".*nvidia,g[a-z]?\\d+b.*");
            if (!gpu) {
                continue;
            }
            Path dir = root.resolve(entry);
            return Optional.of(new GpuDevfreq(entry.getFileName().toString(), dir, device,
                    root.readRequired(dir.resolve("governor")),
                    words(root.read(dir.resolve("available_governors")).orElse("")),
                    frequencies(dir.resolve("available_frequencies")),
                    root.readLong(dir.resolve("min_freq")),
                    root.readLong(dir.resolve("max_freq"))));
        }
        return Optional.empty();
    }

    // ---- EMC

    private Optional<Emc> emc() {
        Path bpmp = root.path("sys/kernel/debug/bpmp/debug/clk/emc");
        if (root.exists(bpmp.resolve("rate"))) {
            Path dir = root.resolve(bpmp);
            return Optional.of(new Emc(Emc.Interface.BPMP, dir, root.readLong(dir.resolve("rate")), dir.resolve("rate"),
                    root.exists(dir.resolve("mrq_rate_locked")),
                    rates(dir.resolve("possible_rates"), root.path("sys/kernel/debug/bpmp/debug/emc/possible_rates")),
                    emcCapFile()));
        }
        Path override = root.path("sys/kernel/debug/clk/override.emc");
        if (root.exists(override)) {
            Path dir = root.resolve(override);
            Path emcRate = root.path("sys/kernel/debug/clk/emc/clk_rate"); // the EMC clock itself: what the board runs
            Path rateFile = root.exists(emcRate) ? root.resolve(emcRate) : dir.resolve("clk_rate");
            return Optional.of(new Emc(Emc.Interface.T210_OVERRIDE, dir, root.readLong(rateFile), rateFile,
                    root.exists(dir.resolve("clk_state")) && root.exists(dir.resolve("clk_update_rate")),
                    rates(root.path("sys/kernel/debug/tegra_emc/stats")), emcCapFile()));
        }
        return Optional.empty();
    }

    /** nvpmodel's EMC cap, where the kernel has one (JetPack 5 and 6). */
    private Path emcCapFile() {
        return Stream.of("sys/kernel/nvpmodel_emc_cap/emc_iso_cap", "sys/kernel/nvpmodel_clk_cap/emc").map(root::resolve)
                .filter(root::exists).findFirst().orElse(null);
    }

    /**
     * The rates a pin may choose from: the first of the board's own tables that exists (BPMP's {@code possible_rates}
     * on T186/T194/T234, the T210 EMC driver's {@code tegra_emc/stats}), else the mainline driver's
     * {@code emc/available_rates}; none when the kernel publishes no table.
     */
    private List<Long> rates(Path... own) {
        for (Path file : own) {
            if (root.exists(file)) {
                return EmcRates.parse(root.readRequired(file), root.relative(file));
            }
        }
        Path mainline = root.path("sys/kernel/debug/emc/available_rates");
        return root.exists(mainline) ? EmcRates.parse(root.readRequired(mainline), root.relative(mainline)) : List.of();
    }

    // ---- power

    private List<PowerRail> rails() {
        List<PowerRail> rails = new ArrayList<>();
        for (Path driver : root.list(root.path("sys/bus/i2c/drivers"), "ina3221*")) {
            for (Path chip : root.list(driver, "*-*")) {
                // "iio:deviceN" from L4T 32 on; L4T 28 (TX2, JetPack 3.3) names the folder "iio_device"
                for (Path iio : root.list(chip, "iio{:device*,_device}")) {
                    iioRails(root.resolve(iio), rails);
                }
                for (Path hwmon : root.list(chip.resolve("hwmon"), "hwmon*")) {
                    hwmonRails(root.resolve(hwmon), rails);
                }
            }
        }
        raplRails(rails);
        return rails;
    }

    /** JetPack 4: NVIDIA's IIO driver, channels 0-2, power in mW. */
    private void iioRails(Path dir, List<PowerRail> rails) {
        for (Path label : root.list(dir, "rail_name_*")) {
            int ch = trailingNumber(label);
            String name = root.read(label).orElse("");
            if (notConnected(name)) {
                continue;
            }
            Path power = dir.resolve("in_power" + ch + "_input");
            PowerRail.Reading reading = root.exists(power) ? new PowerRail.PowerFile(power, 1e-3)
                    : new PowerRail.VoltageCurrent(dir.resolve("in_voltage" + ch + "_input"),
                    dir.resolve("in_current" + ch + "_input"));
            rails.add(new PowerRail(name, RailRole.ofInaRail(name), reading));
        }
    }

    /** JetPack 5+: upstream hwmon driver, channels 1-3 (channel 7 is the shunt sum), voltage mV x current mA. */
    private void hwmonRails(Path dir, List<PowerRail> rails) {
        for (int ch = 1; ch <= 3; ch++) {
            Optional<String> label = root.read(dir.resolve("in" + ch + "_label"));
            if (label.isEmpty() || notConnected(label.get())) {
                continue;
            }
            Path power = dir.resolve("power" + ch + "_input");
            PowerRail.Reading reading = root.exists(power) ? new PowerRail.PowerFile(power, 1e-6)
                    : new PowerRail.VoltageCurrent(dir.resolve("in" + ch + "_input"), dir.resolve("curr" + ch + "_input"));
            rails.add(new PowerRail(label.get(), RailRole.ofInaRail(label.get()), reading));
        }
    }

    /** Generic Linux hosts: top-level RAPL zones (package-N, dram, psys); sub-zones would count twice. */
    private void raplRails(List<PowerRail> rails) {
        for (Path zone : root.list(root.path("sys/class/powercap"), "intel-rapl:*")) {
            if (zone.getFileName().toString().chars().filter(c -> c == ':').count() != 1) {
                continue;
            }
            Path dir = root.resolve(zone);
            String name = root.read(dir.resolve("name")).orElse(zone.getFileName().toString());
            RailRole role = name.equals("psys") ? RailRole.TOTAL
                    : name.startsWith("package") ? RailRole.CPU : RailRole.OTHER;
            rails.add(new PowerRail(name, role,
                    new PowerRail.EnergyCounter(dir.resolve("energy_uj"), dir.resolve("max_energy_range_uj"))));
        }
    }

    private static boolean notConnected(String label) {
        return label.isBlank() || label.trim().toUpperCase(Locale.ROOT).matches("NC\\b.*");
    }

    // ---- thermal

    private List<ThermalZone> thermalZones() {
        List<Path> zones = root.list(root.path("sys/class/thermal"), "thermal_zone*");
        if (zones.isEmpty()) {
            zones = root.list(root.path("sys/devices/virtual/thermal"), "thermal_zone*");
        }
        zones = new ArrayList<>(zones);
        zones.sort(Comparator.comparingInt(BoardDiscovery::trailingNumber));
        List<ThermalZone> out = new ArrayList<>();
        for (Path zone : zones) {
            Path dir = root.resolve(zone);
            String name = root.read(dir.resolve("type")).orElse(zone.getFileName().toString());
            List<ThermalZone.TripPoint> trips = new ArrayList<>();
            for (Path trip : root.list(dir, "trip_point_*_temp")) {
                Matcher m = TRIP_TEMP.matcher(trip.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int index = Integer.parseInt(m.group(1));
                Double temp = milliCelsius(root.read(trip).orElse(""));
                if (temp == null) {
                    continue;
                }
                String type = root.read(dir.resolve("trip_point_" + index + "_type")).orElse("unknown");
                Double hyst = milliCelsius(root.read(dir.resolve("trip_point_" + index + "_hyst")).orElse("0"));
                trips.add(new ThermalZone.TripPoint(index, type, temp, hyst == null ? 0 : hyst));
            }
            trips.sort(Comparator.comparingInt(ThermalZone.TripPoint::index));
            out.add(new ThermalZone(name, dir, milliCelsius(root.read(dir.resolve("temp")).orElse("")), trips));
        }
        return out;
    }

    /** A temperature in m°C as °C; null for empty, garbage, or the -256 °C that offline zones report. */
    public static Double milliCelsius(String text) {
        try {
            double c = Long.parseLong(text.trim()) / 1000.0;
            return c <= -256 ? null : c;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    // ---- helpers

    private List<Long> frequencies(Path file) {
        String text = root.readRequired(file);
        TreeSet<Long> values = new TreeSet<>();
        for (String word : words(text)) {
            try {
                values.add(Long.parseLong(word));
            } catch (NumberFormatException e) {
                throw new DeviceException("unexpected frequency '" + word + "' in " + root.relative(file));
            }
        }
        return new ArrayList<>(values);
    }

    private static List<String> words(String text) {
        String t = text.trim();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    /** "0 1 2 3" or "0-3,5" as a list of CPU numbers. */
    static List<Integer> integers(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.trim().split("[\\s,]+")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                int dash = part.indexOf('-');
                if (dash > 0) {
                    for (int i = Integer.parseInt(part.substring(0, dash)); i <= Integer.parseInt(part.substring(dash + 1)); i++) {
                        out.add(i);
                    }
                } else {
                    out.add(Integer.parseInt(part));
                }
            } catch (NumberFormatException e) {
                return List.of();
            }
        }
        return out;
    }

    private static int trailingNumber(Path path) {
        Matcher m = TRAILING_NUMBER.matcher(path.getFileName().toString());
        return m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }
}
