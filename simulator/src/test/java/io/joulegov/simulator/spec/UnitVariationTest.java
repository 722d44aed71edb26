package io.joulegov.simulator.spec;

import io.joulegov.device.board.BoardDiscovery;
import io.joulegov.device.sysfs.SysRoot;
import io.joulegov.simulator.VirtualJetson;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnitVariationTest {

    @Test
    void unitZeroIsTheCalibratedBoard() {
        BoardSpec nano = Boards.nano();
        assertSame(nano, nano.unit(0));
        assertEquals("virtual-nano-unit-0", nano.identity().serial());
    }

    @Test
    void everyOtherUnitDiffersByAtMostTenPercentInEachDomainAndTheSameEachTime() {
        Set<UnitVariation> seen = new HashSet<>();
        for (int n = 1; n <= 20; n++) {
            UnitVariation u = UnitVariation.of(n);
            assertEquals(u, UnitVariation.of(n), "seeded by the unit");
            for (double f : new double[] {u.cpuSpeed(), u.gpuSpeed(), u.memSpeed(), u.staticPower(), u.cpuDynamic(),
                    u.gpuDynamic(), u.emcPower()}) {
                assertTrue(f >= 0.9 && f <= 1.1, "unit " + n + ": " + u);
                assertNotEquals(1.0, f);
            }
            seen.add(u);
        }
        assertEquals(20, seen.size());
        assertThrows(IllegalArgumentException.class, () -> UnitVariation.of(-1));
    }

    @Test
    void aUnitRunsItsWorkloadsAtItsOwnSpeedAndPowerAndSaysWhichUnitItIs() {
        BoardSpec nano = Boards.nano();
        BoardSpec three = nano.unit(3);
        UnitVariation u = UnitVariation.of(3);
        WorkloadModel base = nano.workload("resnet18");
        WorkloadModel other = three.workload("resnet18");
        assertEquals(base.gpuMs() / u.gpuSpeed(), other.gpuMs(), 1e-12);
        assertEquals(base.cpuMs() / u.cpuSpeed(), other.cpuMs(), 1e-12);
        assertEquals(nano.power().staticWatts() * u.staticPower(), three.power().staticWatts(), 1e-12);
        assertEquals(nano.power().gpu().watts(921.6, 1) * u.gpuDynamic(), three.power().gpu().watts(921.6, 1), 1e-9);
        assertEquals(nano.workloads().keySet().stream().toList(), three.workloads().keySet().stream().toList());
        try (VirtualJetson jetson = VirtualJetson.open("nano", 3, 1)) {
            assertEquals("virtual-nano-unit-3", BoardDiscovery.discover(SysRoot.of(jetson.root())).identity().serial());
        }
    }
}
