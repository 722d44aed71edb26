package io.joulegov.simulator.board;

import io.joulegov.device.board.Emc;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.simulator.model.Disturbance;
import io.joulegov.simulator.model.Governors;
import io.joulegov.simulator.spec.BoardSpec;
import io.joulegov.simulator.spec.WorkloadModel;
import io.joulegov.simulator.tree.Attribute;
import io.joulegov.simulator.tree.SysfsLayout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A virtual Jetson: a sysfs tree under a root, kept up to date from a calibrated model. It reads the knobs that
 * anyone writes (governors, min/max, setspeed, EMC lock), emulates schedutil and nvhost_podgov where they are in
 * charge, throttles above passive trips, and writes what a real board shows: INA3221 rails with sensor noise,
 * temperatures, current clocks, GPU load. Its only links to the rest of joulegov are those files and the clock.
 *
 * <p>On a {@link VirtualClock} it updates at every advance of time; live (a real clock), a thread ticks it.
 * {@link #beginInference} is how a simulated workload runs: it returns how long the inference takes at the clocks
 * the board holds now, and the board draws the power of that inference until then.
 */
public final class VirtualBoard implements AutoCloseable {

    static final long CPU_GOVERNOR_PERIOD = 10_000_000L;   // schedutil rate limit
    static final long GPU_GOVERNOR_PERIOD = 50_000_000L;   // podgov block window
    static final long THERMAL_PERIOD = 1_000_000_000L;     // thermal zone polling
    static final long INA_PERIOD = 1_000_000L;             // a new INA3221 conversion
    static final double PELT_HALF_LIFE_NS = 32e6;
    static final double LATENCY_JITTER = 0.02;
    static final double LOAD_JITTER = 0.06;
    static final double RAIL_NOISE = 0.01;

    private final BoardSpec spec;
    private final Path root;
    /**
     * Three streams, so that runs of one seed see the same board whatever they do: the drift is drawn on a fixed time
     * grid, sensor noise per reading and jitter per inference. Two modes compared on one seed then differ by what
     * they do, not by which random numbers their extra reads or steps happened to consume (common random numbers).
     */
    private final Random random;
    private final Random sensorRandom;
    private final Drift drift;
    private final BoardPower power;
    // for tests and comparisons
    private final ModelAccount account = new ModelAccount();
    private final List<DvfsDomain> policies = new ArrayList<>();
    private final DvfsDomain gpu;
    private final EmcClock emc;
    private final List<InaChannel> rails = new ArrayList<>();
    private final List<ThermalZoneModel> zones = new ArrayList<>();
    private final List<Attribute> attributes = new ArrayList<>();
    private final boolean noisy;

    private final Period cpuGovernor = new Period(CPU_GOVERNOR_PERIOD);
    private final Period gpuGovernor = new Period(GPU_GOVERNOR_PERIOD);
    private final Period thermal = new Period(THERMAL_PERIOD);
    private final Period conversion = new Period(INA_PERIOD);
    /** actmon's sampling, on boards whose kernel scales the EMC by it. */
    private final Period actmon;
    private BoardTime time;
    private long now;
    // the inference in progress, and when the stretch of back-to-back inferences it belongs to began; and the
    // stretch before it, which a sensor's averaging window can still overlap (a live stream leaves gaps of microseconds)
    private long busyUntil;
    private long busySince;
    private long earlierBusyUntil;
    private long earlierBusySince;
    /** The inferences in progress: one, or several when workloads run side by side. */
    private final List<Running> running = new ArrayList<>();
    private final CoRunners coRunners;
    // what the inferences in progress (or the last one) make the board do
    private double cpuActivity;
    private double gpuActivity;
    private double cpuLoad;
    private double gpuLoad;
    /** The memory traffic the inference in progress makes (Hz of the EMC it would keep busy). */
    private double memoryTrafficHz;
    // the disturbance in force
    private Disturbance disturbance = Disturbance.NONE;
    private long disturbanceFrom = Long.MAX_VALUE;
    private long disturbanceUntil = Long.MAX_VALUE;

    private VirtualBoard(BoardSpec spec, Path root, SysfsLayout.BoardFiles files, boolean mapped, long seed,
                         boolean noisy) {
        this.spec = spec;
        this.noisy = noisy;
        this.root = root;
        this.random = new Random(seed);
        this.drift = new Drift(new Random(seed * 0x9E3779B97F4A7C15L + 1));
        this.sensorRandom = new Random(seed * 0x9E3779B97F4A7C15L + 2);
        for (SysfsLayout.PolicyFiles p : files.policies()) {
            policies.add(policy(p, mapped));
        }
        this.gpu = gpu(files.gpuDevfreq(), files.gpuDevice(), mapped);
        this.emc = emc(files.emcDir(), mapped);
        this.actmon = spec.emc().actmon() == null ? null : new Period(spec.emc().actmon().periodNanos());
        this.power = new BoardPower(spec.power(), spec.emc().maxHz());
        this.coRunners = new CoRunners(spec.cpu().clusters().stream().mapToInt(c -> c.length).sum());
        for (int i = 0; i < files.rails().size(); i++) {
            Path[] rail = files.rails().get(i);
            rails.add(new InaChannel(spec.rails().roles().get(i), spec.rails().hwmon() ? null : open(rail[0], mapped),
                    open(rail[1], mapped), open(rail[2], mapped)));
        }
        for (int i = 0; i < files.zoneTemps().size(); i++) {
            zones.add(new ThermalZoneModel(spec.zones().get(i), open(files.zoneTemps().get(i), mapped), spec.power().ambientC()));
        }
    }

    /**
     * Lays out {@code spec}'s tree under {@code root} and builds the board over it. {@code mapped} files suit the
     * virtual clock (no system calls); channel files suit a live board that other processes write. A
     * {@code noisy} board has sensor noise, latency jitter and slow drift, as a real one; a quiet one shows the
     * model's values exactly (calibration). Both draw from {@code seed}.
     */
    public static VirtualBoard create(BoardSpec spec, Path root, boolean mapped, long seed, boolean noisy) {
        SysfsLayout.BoardFiles files = SysfsLayout.lay(spec, root);
        return new VirtualBoard(spec, root, files, mapped, seed, noisy);
    }

    public BoardSpec spec() {
        return spec;
    }

    public Path root() {
        return root;
    }

    /** Runs on virtual time: the board updates whenever the clock advances. */
    public synchronized VirtualBoard attach(VirtualClock clock) {
        start(clock.nanoTime());
        time = BoardTime.virtual(clock, this::advanceTo);
        return this;
    }

    /** Runs live: a thread brings the board up to the clock's time every {@code tickNanos}. */
    public synchronized VirtualBoard startLive(Clock clock, long tickNanos) {
        start(clock.nanoTime());
        time = BoardTime.live(clock, tickNanos, this::advanceTo);
        return this;
    }

    /**
     * Does what {@code nvpmodel -m ID} does: writes the mode's caps to every policy's scaling_max_freq and the GPU's
     * max_freq (the kernel keeps a CPU value within the hardware limits), takes CPUs offline or back online, and
     * records the mode. It writes the files as any other process would; the board sees the caps at its next poll.
     */
    public synchronized void setPowerMode(int id) {
        BoardSpec.PowerMode mode = spec.modes().stream().filter(m -> m.id() == id).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no power mode " + id + " on " + spec.name()));
        try {
            for (DvfsDomain p : policies) {
                p.limitTo(Math.min(mode.cpuMaxKHz(), p.top()));
            }
            gpu.limitTo(Math.min(mode.gpuMaxHz(), spec.gpu().maxHz()));
            java.nio.file.Path emcCap = root.resolve("sys/kernel/nvpmodel_emc_cap/emc_iso_cap");
            if (java.nio.file.Files.exists(emcCap)) {
                java.nio.file.Files.writeString(emcCap, mode.emcMaxHz() + "\n");
            }
            int cpus = spec.cpu().clusters().stream().mapToInt(c -> c.length).sum();
            for (int c = 1; c < cpus; c++) {
                java.nio.file.Files.writeString(root.resolve("sys/devices/system/cpu/cpu" + c + "/online"),
                        c < mode.cpusOnline() ? "1\n" : "0\n");
            }
            java.nio.file.Files.writeString(root.resolve("var/lib/nvpmodel/status"),
                    String.format("pmode:%04d fmode:quiet%n", id));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        applyKnobs();
    }

    /** A disturbance from {@code fromNanos} (board time) for {@code forNanos}. */
    public synchronized void disturb(Disturbance d, long fromNanos, long forNanos) {
        this.disturbance = d;
        this.disturbanceFrom = fromNanos;
        this.disturbanceUntil = forNanos == Long.MAX_VALUE ? Long.MAX_VALUE : fromNanos + forNanos;
    }

    /** An inference in progress: when it ends, and what it makes the board do until then. */
    private record Running(String workload, long until, double cpuActivity, double gpuActivity, double gpuIntensity,
                           double cpuLoad, double gpuLoad, double memoryTrafficHz) {
    }

    /**
     * Starts one inference of {@code w} now, at the clocks the knobs and governors give; returns how long it takes
     * (ns). The board draws that inference's power until then. Workloads may run side by side (each on its own
     * thread of the clock): each inference is stretched by what the others recently kept busy ({@link CoRunners}),
     * and the board's activity is theirs together while they overlap.
     */
    public synchronized long beginInference(WorkloadModel w, long atNanos) {
        advanceTo(atNanos);
        emc.busy = true; // without actmon, memory activity raises an unlocked EMC at once; it falls back only after an idle window
        applyKnobs();
        double contention = disturbed(Disturbance.CPU_CONTENTION) ? 1 / (1 - Disturbance.CONTENTION_SHARE) : 1;
        CoRunners.Stretch stretch = coRunners.stretch(w.name(), now);
        InferenceTime t = InferenceTime.at(w, meanCpuKHz(false) / 1000.0, spec.cpu().maxKHz() / 1000.0,
                gpu.clock.requested() / 1e6, spec.gpu().maxHz() / 1e6, emc.clock.requested(), spec.emc().maxHz(),
                contention, stretch);
        double latencyMs = withSettling(w, t, contention, stretch);
        double traffic = spec.emc().actmon() == null ? 0
                : spec.emc().actmon().overlap() * w.memMs() * spec.emc().maxHz() / latencyMs;
        if (noisy) {
            latencyMs *= Math.exp(LATENCY_JITTER * random.nextGaussian()) * (1 + drift.value());
        }
        double cpuBusy = clamp01(t.cpuLoad() + LOAD_JITTER * random.nextGaussian());
        double gpuBusy = clamp01(t.gpuLoad() + LOAD_JITTER * random.nextGaussian());
        long latency = Math.round(latencyMs * 1e6);
        // a workload's new inference takes the place of its last (on a live board it may begin a tick before that ended)
        running.removeIf(r -> r.workload().equals(w.name()));
        running.add(new Running(w.name(), now + latency, t.cpuActivity(), t.gpuActivity(), w.gpuActivity(), cpuBusy, gpuBusy,
                traffic));
        aggregate();
        // what it asks of each domain, not what sharing stretched it to: its occupancy as a co-runner
        coRunners.ran(w.name(), now, t.cpuMs() / stretch.cpu(), t.gpuMs() / stretch.gpu(), t.memMs() / stretch.mem());
        if (now > busyUntil) {
            earlierBusySince = busySince;
            earlierBusyUntil = busyUntil;
            busySince = now;
        }
        busyUntil = Math.max(busyUntil, now + latency);
        account.inference();
        writeRails(true);
        return latency;
    }

    // ---- the model's own account

    /** Board energy so far as the model computes it (no sensor noise, no sampling). */
    public synchronized double energyJoules() {
        return account.energyJoules();
    }

    /** Share of board time so far with every CPU policy at its top clock. */
    public synchronized double topCpuShare() {
        return account.topCpuShare();
    }

    /** Share of board time so far with the GPU at its top clock. */
    public synchronized double topGpuShare() {
        return account.topGpuShare();
    }

    public synchronized long inferences() {
        return account.inferences();
    }

    /** Board power now (W), as the model has it. */
    public synchronized double watts() {
        return totalWatts(now < busyUntil);
    }

    /** The clocks the board runs at now: CPU kHz (first policy), GPU Hz, EMC Hz. */
    public synchronized long[] clocks() {
        return new long[] {policies.get(0).clock.effective(), gpu.clock.effective(), emc.clock.effective()};
    }

    public synchronized double temperature(String zone) {
        return zones.stream().filter(z -> z.spec.name().equals(zone)).findFirst().orElseThrow().celsius;
    }

    // ---- time

    private synchronized void advanceTo(long t) {
        if (t <= now) {
            return;
        }
        // while several inferences overlap, the board's activity changes as each ends
        while (running.size() > 1) {
            long end = running.stream().mapToLong(Running::until).min().orElseThrow();
            if (end > t) {
                break;
            }
            step(end);
            running.removeIf(r -> r.until() <= end);
            aggregate();
        }
        step(t);
        running.removeIf(r -> r.until() <= now); // the last one's activity stays: the rails' window may still hold it
    }

    /**
     * The activity of the inferences in progress, together: the CPU's adds up (the power model caps each CPU policy
     * at fully busy), the GPU's too, but time-sliced kernels drive it no harder than the most intense of them fully
     * busy would; loads are shares of time, at most 1. One inference's are its own, as they always were.
     */
    private void aggregate() {
        if (running.isEmpty()) {
            return;
        }
        if (running.size() == 1) {
            Running r = running.get(0);
            cpuActivity = r.cpuActivity();
            gpuActivity = r.gpuActivity();
            cpuLoad = r.cpuLoad();
            gpuLoad = r.gpuLoad();
            memoryTrafficHz = r.memoryTrafficHz();
            return;
        }
        cpuActivity = running.stream().mapToDouble(Running::cpuActivity).sum();
        gpuActivity = Math.min(running.stream().mapToDouble(Running::gpuIntensity).max().orElseThrow(),
                running.stream().mapToDouble(Running::gpuActivity).sum());
        cpuLoad = Math.min(1, running.stream().mapToDouble(Running::cpuLoad).sum());
        gpuLoad = Math.min(1, running.stream().mapToDouble(Running::gpuLoad).sum());
        memoryTrafficHz = running.stream().mapToDouble(Running::memoryTrafficHz).sum();
    }

    /** Brings the board to {@code t} with the activity it has now. */
    private void step(long t) {
        if (t <= now) {
            return;
        }
        long dt = t - now;
        long busyPart = Math.max(0, Math.min(t, busyUntil) - now);
        double pBusy = totalWatts(true);
        double pIdle = totalWatts(false);
        account.add(dt, busyPart, pBusy, pIdle, policies.stream().allMatch(p -> p.clock.effective() == p.top()),
                gpu.clock.effective() == spec.gpu().maxHz());
        double contentionLoad = disturbed(Disturbance.CPU_CONTENTION) ? Disturbance.CONTENTION_SHARE : 0;
        for (DvfsDomain p : policies) {
            p.busyNanos += Math.min(1.0, cpuLoad + contentionLoad) * busyPart + contentionLoad * (dt - busyPart);
        }
        gpu.busyNanos += gpuLoad * busyPart;
        emc.count(memoryTrafficHz, busyPart);
        if (noisy) {
            drift.advanceTo(t);
        }
        double averageWatts = (pBusy * busyPart + pIdle * (dt - busyPart)) / dt;
        double ambient = spec.power().ambientC() + (disturbed(Disturbance.THERMAL) ? Disturbance.THERMAL_STEP_K : 0);
        for (ThermalZoneModel z : zones) {
            z.step(dt, ambient, averageWatts);
        }
        now = t;
        boolean changed = false;
        if (thermal.due(t) > 0) {
            throttle();
            zones.forEach(ThermalZoneModel::publish);
            changed = true;
        }
        long cpuWindow = cpuGovernor.due(t);
        if (cpuWindow > 0) {
            for (DvfsDomain p : policies) {
                p.governorTick(cpuWindow);
            }
            changed = true;
        }
        long actmonWindow = actmon == null ? 0 : actmon.due(t);
        if (actmonWindow > 0) {
            emc.sample(actmonWindow);
            changed = true;
        }
        long gpuWindow = gpuGovernor.due(t);
        if (gpuWindow > 0) {
            emc.busy = gpu.lastShare > 0.05;
            gpu.governorTick(gpuWindow);
            changed = true;
        }
        if (changed) {
            applyKnobs();
        } else {
            settle();
        }
        writeRails(false);
    }

    private boolean disturbed(Disturbance d) {
        return disturbance == d && now >= disturbanceFrom && now < disturbanceUntil;
    }

    /** The board at {@code t}: its periodic jobs start, its zones settled at idle, its files written. */
    private void start(long t) {
        now = t;
        drift.startAt(t);
        cpuGovernor.ranAt(t);
        gpuGovernor.ranAt(t);
        thermal.ranAt(t);
        if (actmon != null) {
            actmon.ranAt(t);
        }
        for (ThermalZoneModel z : zones) {
            z.step(Long.MAX_VALUE, spec.power().ambientC(), totalWatts(false)); // settled at idle
        }
        applyKnobs();
        zones.forEach(ThermalZoneModel::publish);
        writeRails(true);
    }

    /** Reads every knob and asks for the clocks they give; those that have settled, the board runs at. */
    private void applyKnobs() {
        for (DvfsDomain p : policies) {
            p.apply(now);
        }
        gpu.apply(now);
        emc.apply(now);
    }

    /** The clocks asked for that have settled by now take effect. */
    private void settle() {
        for (DvfsDomain p : policies) {
            p.settle(now);
        }
        gpu.settle(now);
        emc.settle(now);
    }

    /**
     * An inference begun while new clocks settle runs at the old ones until they have (its work done at an even
     * pace): {@code next} is its time at the clocks asked for.
     */
    private double withSettling(WorkloadModel w, InferenceTime next, double contention, CoRunners.Stretch stretch) {
        long settles = Math.max(gpu.clock.settlesAt(), emc.clock.settlesAt()); // when the last still settling takes effect
        for (DvfsDomain d : policies) {
            settles = Math.max(settles, d.clock.settlesAt());
        }
        if (settles <= now) {
            return next.totalMs();
        }
        double beforeMs = InferenceTime.at(w, meanCpuKHz(true) / 1000.0, spec.cpu().maxKHz() / 1000.0,
                gpu.clock.effective() / 1e6, spec.gpu().maxHz() / 1e6, emc.clock.effective(), spec.emc().maxHz(), contention,
                stretch).totalMs();
        double waitMs = (settles - now) / 1e6;
        return waitMs >= beforeMs ? beforeMs : waitMs + (1 - waitMs / beforeMs) * next.totalMs();
    }

    private void throttle() {
        boolean hot = false;
        boolean cool = true;
        for (ThermalZoneModel z : zones) {
            for (BoardSpec.Trip trip : z.spec.trips()) {
                if (trip.type().equals("passive")) {
                    hot |= z.celsius > trip.celsius();
                    cool &= z.celsius < trip.celsius() - trip.hysteresis();
                }
            }
        }
        for (DvfsDomain p : policies) {
            p.throttle(hot, cool);
        }
        gpu.throttle(hot, cool);
    }

    /** The mean CPU clock the policies run at ({@code effective}) or are asked to run at. */
    private double meanCpuKHz(boolean effective) {
        double sum = 0;
        for (DvfsDomain p : policies) {
            sum += effective ? p.clock.effective() : p.clock.requested();
        }
        return sum / policies.size();
    }

    private double cpuWatts(boolean busy) {
        double contention = disturbed(Disturbance.CPU_CONTENTION) ? Disturbance.CONTENTION_SHARE : 0;
        return power.cpu(policies, busy ? cpuActivity : 0, contention);
    }

    private double gpuWatts(boolean busy) {
        return power.gpu(gpu.clock.effective(), busy ? gpuActivity : 0);
    }

    private double totalWatts(boolean busy) {
        return power.total(busy, cpuWatts(busy), gpuWatts(busy), power.emc(emc.clock.effective()));
    }

    /** How much of the sensor's last conversion period the stretch {@code [since, until)} covers (ns). */
    private long busyWithin(long since, long until) {
        return Math.max(0, Math.min(now, until) - Math.max(now - INA_PERIOD, since));
    }

    private void writeRails(boolean force) {
        if (force) {
            conversion.ranAt(now);
        } else if (conversion.due(now) == 0) {
            return;
        }
        // an INA3221 reading is the average over its last conversion, not the power of this instant
        double busy = (busyWithin(busySince, busyUntil) + busyWithin(earlierBusySince, earlierBusyUntil)) / (double) INA_PERIOD;
        double cpuBusy = cpuWatts(true);
        double cpuIdle = cpuWatts(false);
        double gpuBusy = gpuWatts(true);
        double gpuIdle = gpuWatts(false);
        double mem = power.emc(emc.clock.effective());
        double cpu = busy * cpuBusy + (1 - busy) * cpuIdle;
        double g = busy * gpuBusy + (1 - busy) * gpuIdle;
        double total = busy * power.total(true, cpuBusy, gpuBusy, mem) + (1 - busy) * power.total(false, cpuIdle, gpuIdle, mem);
        for (InaChannel r : rails) {
            double w = BoardPower.rail(r.role(), total, cpu, g, mem);
            r.publish(noisy ? w * (1 + RAIL_NOISE * sensorRandom.nextGaussian()) : w, spec.rails().busVolts());
        }
    }

    /** A cpufreq policy under schedutil, which smooths the busy share (PELT) before it picks. */
    private DvfsDomain policy(SysfsLayout.PolicyFiles files, boolean mapped) {
        Path d = files.dir();
        double[] util = new double[1];
        return new DvfsDomain(files.frequenciesKHz(), open(d.resolve("scaling_governor"), mapped),
                open(d.resolve("scaling_min_freq"), mapped), open(d.resolve("scaling_max_freq"), mapped),
                open(d.resolve("scaling_setspeed"), mapped),
                List.of(open(d.resolve("scaling_cur_freq"), mapped), open(d.resolve("cpuinfo_cur_freq"), mapped)),
                (table, current, share, window) -> {
                    double keep = Math.pow(0.5, window / PELT_HALF_LIFE_NS);
                    util[0] = util[0] * keep + share * (1 - keep);
                    return Governors.schedutil(table, current, util[0]);
                }, spec.settling().cpuNanos());
    }

    /** The GPU's devfreq node under nvhost_podgov, which also shows the load it sampled. */
    private DvfsDomain gpu(Path devfreq, Path device, boolean mapped) {
        Attribute load = open(device.resolve("load"), mapped);
        return new DvfsDomain(spec.gpu().frequenciesHz(), open(devfreq.resolve("governor"), mapped),
                open(devfreq.resolve("min_freq"), mapped), open(devfreq.resolve("max_freq"), mapped), null,
                List.of(open(devfreq.resolve("cur_freq"), mapped), open(devfreq.resolve("target_freq"), mapped)),
                (table, current, share, window) -> {
                    load.write(Math.round(share * 1000));
                    return Governors.podgov(table, current, share);
                }, spec.settling().gpuNanos());
    }

    /** The memory clock: the T210 debugfs override on the Nano, BPMP's locked rate on the later boards. */
    private EmcClock emc(Path dir, boolean mapped) {
        if (spec.emc().kind() == Emc.Interface.BPMP) {
            Attribute rate = open(dir.resolve("rate"), mapped);
            return new EmcClock(spec.emc().ratesHz(), true, open(dir.resolve("mrq_rate_locked"), mapped), rate, rate, null,
                    open(root.resolve("sys/kernel/nvpmodel_emc_cap/emc_iso_cap"), mapped), spec.emc().actmon(),
                    spec.settling().emcNanos());
        }
        return new EmcClock(spec.emc().ratesHz(), false, open(dir.resolve("clk_state"), mapped),
                open(dir.resolve("clk_update_rate"), mapped), open(dir.resolve("clk_rate"), mapped),
                open(root.resolve("sys/kernel/debug/clk/emc/clk_rate"), mapped), null, spec.emc().actmon(),
                spec.settling().emcNanos());
    }

    private Attribute open(Path file, boolean mapped) {
        Attribute a = mapped ? Attribute.mapped(file) : Attribute.channel(file);
        attributes.add(a);
        return a;
    }

    @Override
    public void close() {
        if (time != null) {
            time.close();
        }
        synchronized (this) {
            attributes.forEach(Attribute::close);
        }
    }

    private static double clamp01(double x) {
        return Math.max(0, Math.min(1, x));
    }
}
