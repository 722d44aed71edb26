package io.joulegov.policies.mix;

import io.joulegov.policies.profile.OperatingPoint;

import java.util.List;
import java.util.Map;

/**
 * What the governor learned of one mix on a board, to start from when the same models run together again: per point
 * it measured, the board power over what the members' profiles predicted ({@code powerFactor}, NaN where only
 * latency was measured) and over how many energy windows, and each member's latency in the mix over its profile
 * stretched by the others ({@code latencyFactors}, by model, where measured). {@code members} are the models' names,
 * sorted.
 */
public record LearnedMix(List<String> members, List<Point> points) {

    /** One point the mix was measured at. */
    public record Point(OperatingPoint point, double powerFactor, long windows, Map<String, Double> latencyFactors) {

        public Point {
            latencyFactors = Map.copyOf(latencyFactors);
            if (!(Double.isNaN(powerFactor) || (powerFactor > 0 && Double.isFinite(powerFactor))) || windows < 0
                    || latencyFactors.values().stream().anyMatch(f -> !(f > 0 && Double.isFinite(f)))) {
                throw new IllegalArgumentException("a learned mix's factors are positive and finite, at " + point);
            }
        }
    }

    public LearnedMix {
        members = List.copyOf(members);
        points = List.copyOf(points);
        if (members.size() < 2 || !members.stream().sorted().toList().equals(members)
                || members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("a mix has two or more distinct members, sorted: " + members);
        }
    }
}
