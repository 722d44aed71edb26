package io.joulegov.profiler.measure;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.ThermalZone;
import io.joulegov.device.clock.Clock;
import io.joulegov.device.knobs.ClockPinner;
import io.joulegov.device.power.EnergyReading;
import io.joulegov.device.power.EnergyWindow;
import io.joulegov.device.power.PowerSampler;
import io.joulegov.policies.profile.Measurement;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.profiler.workload.InferenceSource;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;

import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures one workload at one operating point through the board's files: pin, let the clocks settle, read the
 * board's idle power there (two sampling periods with no inference, once the rails no longer read the last one: what
 * a gap between requests costs at the point), warm up, then time every inference of each run while the power sampler
 * integrates its energy window (energy per inference: the window's energy over the inferences that ended in it);
 * rerun until the energy is known well enough.
 */
public final class PointMeasurer {

    private static final Logger LOG = LoggerFactory.getLogger(PointMeasurer.class);

    private final Board board;
    private final ClockPinner pinner;
    private final PowerSampler sampler;
    private final Clock clock;
    private final MeasurementSettings settings;

    public PointMeasurer(Board board, ClockPinner pinner, PowerSampler sampler, Clock clock, MeasurementSettings settings) {
        this.board = board;
        this.pinner = pinner;
        this.sampler = sampler;
        this.clock = clock;
        this.settings = settings;
    }

    public Measurement measure(InferenceSource source, OperatingPoint point) throws Exception {
        pinner.pin(point.cpuKHz(), point.gpuHz(), point.emcHz());
        clock.sleep(settings.settle());
        coolDown();
        // the rails read the last inference's power for a while yet (the sensor averages over its conversions; the
        // virtual Nano's still do 150 ms on): idle power is read after two sampling periods more
        clock.sleep(sampler.period().multipliedBy(2));
        double idleW;
        try (EnergyWindow idle = sampler.openWindow("idle@" + point)) {
            clock.sleep(sampler.period().multipliedBy(2));
            idleW = idle.end().meanWatts();
        }
        source.skip(settings.warmup());
        double[] latencies = new double[settings.inferences() * settings.maxReruns()];
        int timed = 0;
        DescriptiveStatistics energy = new DescriptiveStatistics();
        DescriptiveStatistics power = new DescriptiveStatistics();
        for (int run = 0; run < settings.maxReruns(); run++) {
            try (EnergyWindow window = sampler.openWindow(source.info().model() + "@" + point)) {
                EnergyReading[] reading = new EnergyReading[1];
                double[] ran = source.time(settings.inferences(), () -> reading[0] = window.end());
                if (timed + ran.length > latencies.length) {
                    latencies = Arrays.copyOf(latencies, Math.max(2 * latencies.length, timed + ran.length));
                }
                System.arraycopy(ran, 0, latencies, timed, ran.length);
                timed += ran.length;
                energy.addValue(reading[0].joules() / ran.length);
                power.addValue(reading[0].meanWatts());
            }
            if (run + 1 >= settings.minReruns() && settled(energy)) {
                break;
            }
        }
        LatencySummary s = LatencySummary.of(latencies, timed);
        double e = energy.getMean();
        double cov = energy.getN() > 1 && e > 0 ? energy.getStandardDeviation() / e : 0;
        return new Measurement(point, s.meanMs(), s.p50Ms(), s.p95Ms(), s.p99Ms(), e, power.getMean(), cov, timed,
                hottest(), Measurement.Source.MEASURED, idleW);
    }

    /** Whether the 95% confidence half-width of energy per inference is under the target share of its mean. */
    boolean settled(DescriptiveStatistics energy) {
        long n = energy.getN();
        if (n < 2) {
            return false;
        }
        double t = new TDistribution(n - 1).inverseCumulativeProbability(0.975);
        return t * energy.getStandardDeviation() / Math.sqrt(n) <= settings.ciTarget() * energy.getMean();
    }

    /** Waits while a zone is within the margin of its passive trip, so heat does not bias the measurement. */
    private void coolDown() throws InterruptedException {
        for (int waited = 0; waited < 600; waited++) {
            ThermalZone hot = null;
            Double hotC = null;
            for (ThermalZone z : board.thermalZones()) {
                Double c = temperature(z);
                if (c != null && z.passiveTrip().isPresent() && c > z.passiveTrip().get().tempC() - settings.thermalMarginC()) {
                    hot = z;
                    hotC = c;
                }
            }
            if (hot == null) {
                return;
            }
            if (waited == 0) {
                LOG.info("{} at {} C is near its passive trip: pausing", hot.name(), hotC);
            }
            clock.sleep(Duration.ofSeconds(1));
        }
    }

    private Double hottest() {
        return board.thermalZones().stream().map(this::temperature).filter(t -> t != null).max(Double::compare).orElse(null);
    }

    /** A zone's temperature now: its temp file read again, not the board's whole tree. */
    private Double temperature(ThermalZone zone) {
        return BoardDiscovery.milliCelsius(board.root().read(zone.tempFile()).orElse(""));
    }
}
