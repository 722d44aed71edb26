package io.joulegov.device.board;

import io.joulegov.device.sysfs.SysRoot;

import java.util.List;
import java.util.Optional;

/** Everything joulegov found on a board: identity, clock domains, power rails and thermal zones. */
public record Board(SysRoot root, BoardIdentity identity, List<CpuPolicy> cpuPolicies, Optional<GpuDevfreq> gpu,
                    Optional<Emc> emc, List<PowerRail> rails, List<ThermalZone> thermalZones) {

    public Board {
        cpuPolicies = List.copyOf(cpuPolicies);
        rails = List.copyOf(rails);
        thermalZones = List.copyOf(thermalZones);
    }

    /** The rail that measures the whole board, if the board has one. */
    public Optional<PowerRail> totalRail() {
        return rails.stream().filter(r -> r.role() == RailRole.TOTAL).findFirst();
    }
}
