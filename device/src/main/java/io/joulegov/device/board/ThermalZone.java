package io.joulegov.device.board;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A thermal zone with its trip points. {@code tempC} is null when the zone is offline (-256 C) or unreadable. */
public record ThermalZone(String name, Path dir, Double tempC, List<TripPoint> trips) {

    public ThermalZone {
        trips = List.copyOf(trips);
    }

    /** A trip point: {@code passive} (throttling starts), {@code active} (fan), {@code hot}, {@code critical}. */
    public record TripPoint(int index, String type, double tempC, double hysteresisC) {
    }

    public Path tempFile() {
        return dir.resolve("temp");
    }

    /** The lowest passive trip: where the kernel starts to throttle. */
    public Optional<TripPoint> passiveTrip() {
        return trips.stream().filter(t -> t.type().equals("passive"))
                .min((a, b) -> Double.compare(a.tempC(), b.tempC()));
    }
}
