package io.joulegov.device.power;

import io.joulegov.device.board.Board;
import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.board.PowerRail;
import io.joulegov.device.board.RailRole;
import io.joulegov.device.clock.VirtualClock;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.device.testing.FakeBoards;
import io.joulegov.device.testing.FakeBoards.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PowerSamplerTest {

    @TempDir
    Path tmp;

    private final VirtualClock clock = new VirtualClock(Instant.parse("2026-01-01T00:00:00Z"));

    private Board nano() {
        return BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(Layout.NANO_JP4, tmp)));
    }

    private static void rewrite(Path file, String content) {
        // in place, as sysfs does: a sampler keeps the file open
        try {
            Files.writeString(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path iio(String file) {
        return tmp.resolve("sys/devices/7000c400.i2c/i2c-6/6-0040/iio:device0").resolve(file);
    }

    @Test
    void constantPowerIntegratesToPowerTimesTime() throws InterruptedException {
        Board board = nano();
        rewrite(iio("in_power0_input"), "5000\n"); // 5 W on POM_5V_IN
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start()) {
            clock.sleep(Duration.ofMillis(50));
            EnergyWindow w = sampler.openWindow("run");
            clock.sleep(Duration.ofSeconds(2));
            EnergyReading r = w.end();
            assertEquals(10.0, r.joules(), 1e-9);
            assertEquals(5.0, r.meanWatts(), 1e-9);
            assertEquals(2.0, r.seconds(), 1e-9);
            assertEquals(22, r.samples(), "20 periodic samples plus one at each end");
            assertEquals(0, r.missingSamples());
            assertEquals(2.0 * 0.300, r.railJoules().get("POM_5V_GPU"), 1e-9, "5000 mV x 60 mA");
        }
    }

    @Test
    void aPowerStepIsIntegratedOnSampleTimestampsAndWindowsNest() throws InterruptedException {
        Board board = nano();
        Path total = iio("in_power0_input");
        rewrite(total, "2000\n");
        // the board's power changes to 6 W at t = 1 s, exactly when a sample is due
        clock.addListener(t -> {
            if (t == Duration.ofSeconds(1).toNanos()) {
                rewrite(total, "6000\n");
            }
        });
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start()) {
            EnergyWindow outer = sampler.openWindow("outer");
            clock.sleep(Duration.ofMillis(500));
            EnergyWindow inner = sampler.openWindow("inner");
            clock.sleep(Duration.ofMillis(1000));
            EnergyReading in = inner.end();
            clock.sleep(Duration.ofMillis(500));
            EnergyReading out = outer.end();
            // the step is seen at the 1.0 s sample; the trapezoid spreads it over the 0.9-1.0 s interval
            double expectedOuter = 2.0 * 0.9 + (2.0 + 6.0) / 2 * 0.1 + 6.0 * 1.0;
            assertEquals(expectedOuter, out.joules(), 1e-9);
            double expectedInner = 2.0 * 0.4 + (2.0 + 6.0) / 2 * 0.1 + 6.0 * 0.5;
            assertEquals(expectedInner, in.joules(), 1e-9);
        }
    }

    @Test
    void failingSensorsCostSamplesNotTheSampler() throws InterruptedException {
        Board board = nano();
        Path total = iio("in_power0_input");
        rewrite(total, "4000\n");
        clock.addListener(t -> {
            long ms = t / 1_000_000;
            if (ms == 300) {
                rewrite(total, "garbage\n");
            } else if (ms == 400) {
                rewrite(total, "");
            } else if (ms == 500) {
                rewrite(total, "NaN\n");
            } else if (ms == 600) {
                rewrite(total, "4000\n");
            }
        });
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start()) {
            EnergyWindow w = sampler.openWindow("run");
            clock.sleep(Duration.ofSeconds(1));
            EnergyReading r = w.end();
            assertEquals(3, r.missingSamples());
            assertEquals(4.0, r.joules(), 1e-9, "the gap is bridged between the good samples around it");
            assertEquals(3L, sampler.failures().get("POM_5V_IN"));
            assertEquals(0L, sampler.failures().get("POM_5V_CPU"));
        }
    }

    @Test
    void withoutATotalRailTheRailsAreSummed() throws InterruptedException {
        Board board = nano();
        List<PowerRail> parts = board.rails().stream().filter(r -> r.role() != RailRole.TOTAL).toList();
        try (PowerSampler sampler = new PowerSampler(parts, clock, Duration.ofMillis(10)).start()) {
            EnergyWindow w = sampler.openWindow("run");
            clock.sleep(Duration.ofSeconds(1));
            // POM_5V_GPU 5000 mV x 60 mA = 300 mW, POM_5V_CPU 5000 mV x 110 mA = 550 mW (in_power files)
            assertEquals(0.850, w.end().joules(), 1e-9);
        }
    }

    @Test
    void hwmonRailsMultiplyVoltageAndCurrent() throws InterruptedException {
        Board board = BoardDiscovery.discover(SysRoot.of(FakeBoards.lay(Layout.XAVIER_NX_JP5, tmp)));
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start()) {
            EnergyWindow w = sampler.openWindow("run");
            clock.sleep(Duration.ofSeconds(1));
            assertEquals(5.008 * 0.880, w.end().joules(), 1e-9);
        }
    }

    @Test
    void raplCountersWrapAround() throws IOException, InterruptedException {
        Path zone = tmp.resolve("sys/class/powercap/intel-rapl:0");
        Files.createDirectories(zone);
        Files.createDirectories(tmp.resolve("sys/devices/system/cpu"));
        Files.writeString(zone.resolve("name"), "package-0\n");
        Files.writeString(zone.resolve("max_energy_range_uj"), "1000000\n");
        Path energy = zone.resolve("energy_uj");
        Files.writeString(energy, "0\n");
        // 3 W: the counter grows 300000 uJ every 100 ms and wraps at 1 J
        clock.addListener(t -> rewrite(energy, Long.toString((t / 1_000_000 * 3000) % 1_000_000) + "\n"));
        Board board = BoardDiscovery.discover(SysRoot.of(tmp));
        try (PowerSampler sampler = new PowerSampler(board.rails(), clock, Duration.ofMillis(100)).start()) {
            clock.sleep(Duration.ofMillis(100));
            EnergyWindow w = sampler.openWindow("run");
            clock.sleep(Duration.ofSeconds(1));
            EnergyReading r = w.end();
            assertEquals(3.0, r.joules(), 1e-6);
        }
    }

    @Test
    void periodsBelowTenMillisecondsAreRefused() {
        Board board = nano();
        assertThrows(IllegalArgumentException.class, () -> new PowerSampler(board.rails(), clock, Duration.ofMillis(5)));
    }
}
