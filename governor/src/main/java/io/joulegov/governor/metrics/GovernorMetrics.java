package io.joulegov.governor.metrics;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.CpuPolicy;
import io.joulegov.device.board.ThermalZone;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.policies.online.OnlineController;
import io.joulegov.policies.profile.OperatingPoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The governor's meters, bound in one place and named by Prometheus convention: clocks in {@code _hertz} (what the
 * board runs and what joulegov holds), power per rail in {@code _watts}, board energy as {@code _joules_total},
 * temperatures in {@code _celsius}, inference latency as a timer in {@code _seconds} with percentiles, deadline
 * misses, operating-point switches, other writers, sensor failures and throttling. Clock and temperature gauges read
 * their sysfs file when scraped, so an idle daemon does no work for them. A model's own meters (tagged {@code model})
 * live from its first inference until it unregisters; its budget is exported once it is known.
 */
public final class GovernorMetrics implements MeterBinder {

    private final Board board;
    private final PowerSampler sampler;
    private final Supplier<OperatingPoint> held;
    private final Supplier<OnlineController.MixStatus> mix;
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final Map<String, Counter> misses = new ConcurrentHashMap<>();
    /** Each model's budget in seconds (the gauge reads the array: a budget resolved again is seen at once). */
    private final Map<String, double[]> budgets = new ConcurrentHashMap<>();
    private MeterRegistry registry;
    private Counter switches;
    private Counter otherWriters;

    /** {@code sampler} may be null (a board without rails); {@code held} gives the point held now, or null. */
    public GovernorMetrics(Board board, PowerSampler sampler, Supplier<OperatingPoint> held) {
        this(board, sampler, held, () -> null);
    }

    /** As above; {@code mix} gives the mix of models governed as one now, or null. */
    public GovernorMetrics(Board board, PowerSampler sampler, Supplier<OperatingPoint> held,
                           Supplier<OnlineController.MixStatus> mix) {
        this.board = board;
        this.sampler = sampler;
        this.held = held;
        this.mix = mix;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        SysRoot root = board.root();
        for (CpuPolicy p : board.cpuPolicies()) {
            Path cur = p.dir().resolve("scaling_cur_freq");
            Gauge.builder("joulegov.cpu.frequency", () -> read(root, cur) * 1e3).tag("policy", p.name()).baseUnit("hertz")
                    .description("CPU clock the policy runs at").register(registry);
        }
        board.gpu().ifPresent(g -> Gauge.builder("joulegov.gpu.frequency", () -> read(root, g.dir().resolve("cur_freq")))
                .baseUnit("hertz").description("GPU clock the board runs at").register(registry));
        board.emc().ifPresent(e -> Gauge.builder("joulegov.emc.frequency", () -> read(root, e.rateFile()))
                .baseUnit("hertz").description("Memory (EMC) clock the board runs at").register(registry));
        Gauge.builder("joulegov.target.cpu.frequency", () -> held(p -> p.cpuKHz() * 1e3)).baseUnit("hertz")
                .description("CPU clock joulegov holds (NaN when it holds none)").register(registry);
        Gauge.builder("joulegov.target.gpu.frequency", () -> held(p -> (double) p.gpuHz())).baseUnit("hertz")
                .description("GPU clock joulegov holds (NaN when it holds none)").register(registry);
        if (board.emc().isPresent()) {
            Gauge.builder("joulegov.target.emc.frequency", () -> held(p -> p.emcHz() == null ? Double.NaN : p.emcHz()))
                    .baseUnit("hertz").description("Memory (EMC) clock joulegov holds (NaN when it leaves it to the kernel)")
                    .register(registry);
        }
        Gauge.builder("joulegov.mix.predicted.power", () -> {
            OnlineController.MixStatus m = mix.get();
            return m == null ? Double.NaN : m.predictedWatts();
        }).baseUnit("watts").description("The board power the mix of models governed as one is predicted to draw at "
                + "the point held (learned from the board's energy; none when fewer than two models run)").register(registry);
        Gauge.builder("joulegov.throttled", this::throttled)
                .description("1 when the board runs below the clocks joulegov holds, the EMC included (thermal or power capping)")
                .register(registry);
        for (ThermalZone z : board.thermalZones()) {
            Gauge.builder("joulegov.temperature", () -> {
                Double c = BoardDiscovery.milliCelsius(root.read(z.tempFile()).orElse(""));
                return c == null ? Double.NaN : c;
            }).tag("zone", z.name()).baseUnit("celsius").register(registry);
        }
        if (sampler != null) {
            FunctionCounter.builder("joulegov.energy", sampler, PowerSampler::joules).baseUnit("joules")
                    .description("Board energy since the daemon started (total rail, or the rails summed)").register(registry);
            Gauge.builder("joulegov.board.power", sampler, PowerSampler::lastWatts).baseUnit("watts")
                    .description("Board power at the latest sample").register(registry);
            for (String rail : sampler.lastRailWatts().keySet()) {
                Gauge.builder("joulegov.power", sampler, s -> s.lastRailWatts().get(rail)).tag("rail", rail).baseUnit("watts")
                        .register(registry);
                FunctionCounter.builder("joulegov.sensor.failures", sampler, s -> s.failures().get(rail)).tag("rail", rail)
                        .description("Failed reads of a power rail").register(registry);
            }
        }
        switches = Counter.builder("joulegov.operating.point.switches").description("Changes of the point joulegov holds")
                .register(registry);
        otherWriters = Counter.builder("joulegov.other.writer.events")
                .description("Times another program changed a clock knob joulegov holds").register(registry);
    }

    /** One finished inference of {@code model}: its latency, and a miss when it exceeded the budget. */
    public void inference(String model, double latencyMs, double budgetMs) {
        if (registry == null) {
            return;
        }
        latency.computeIfAbsent(model, m -> Timer.builder("joulegov.inference.latency").tag("model", m)
                .publishPercentiles(0.5, 0.95, 0.99).description("Inference latency reported by applications")
                .register(registry)).record(Duration.ofNanos(Math.round(latencyMs * 1e6)));
        Counter miss = misses.computeIfAbsent(model, m -> Counter.builder("joulegov.deadline.misses").tag("model", m)
                .description("Inferences slower than their budget").register(registry));
        if (latencyMs > budgetMs) {
            miss.increment();
        }
        if (!(budgetMs > 0) || Double.isInfinite(budgetMs)) {
            return; // not known yet (a slowdown before the fastest point has run): absent, not NaN
        }
        budgets.computeIfAbsent(model, m -> {
            double[] seconds = new double[1];
            Gauge.builder("joulegov.latency.budget", seconds, b -> b[0]).tag("model", m).baseUnit("seconds")
                    .description("The latency budget a model registered with, at its percentile").register(registry);
            return seconds;
        })[0] = budgetMs / 1e3;
    }

    /** {@code model} unregistered: its meters (latency, misses, budget, infeasible) leave the registry. */
    public void unregistered(String model) {
        latency.remove(model);
        misses.remove(model);
        budgets.remove(model);
        MeterRegistry r = registry;
        if (r != null) {
            r.getMeters().stream().filter(m -> model.equals(m.getId().getTag("model"))).toList().forEach(r::remove);
        }
    }

    /** {@code model}, registered without a profile, misses its budget even at the fastest point. */
    public void infeasible(String model) {
        if (registry != null) {
            Counter.builder("joulegov.infeasible.budgets").tag("model", model)
                    .description("Models without a profile whose budget even the fastest point misses (held there)")
                    .register(registry).increment();
        }
    }

    public void switched() {
        if (switches != null) {
            switches.increment();
        }
    }

    public void otherWriter() {
        if (otherWriters != null) {
            otherWriters.increment();
        }
    }

    private double throttled() {
        OperatingPoint p = held.get();
        if (p == null) {
            return 0;
        }
        SysRoot root = board.root();
        boolean cpuLow = board.cpuPolicies().stream().anyMatch(c -> read(root, c.dir().resolve("scaling_cur_freq")) < p.cpuKHz());
        boolean gpuLow = board.gpu().map(g -> read(root, g.dir().resolve("cur_freq")) < p.gpuHz()).orElse(false);
        boolean emcLow = p.emcHz() != null && board.emc().map(e -> read(root, e.rateFile()) < p.emcHz()).orElse(false);
        return cpuLow || gpuLow || emcLow ? 1 : 0;
    }

    private double held(java.util.function.ToDoubleFunction<OperatingPoint> f) {
        OperatingPoint p = held.get();
        return p == null ? Double.NaN : f.applyAsDouble(p);
    }

    private static double read(SysRoot root, Path file) {
        try {
            return root.readLong(file);
        } catch (RuntimeException unreadable) {
            return Double.NaN;
        }
    }
}
