package io.joulegov.governor.loop;

import io.joulegov.governor.core.GovernorCore;
import io.joulegov.policies.profile.OperatingPoint;
import io.joulegov.policies.profile.ProfileKey;
import io.joulegov.policies.profile.ProfileTable;
import io.joulegov.policies.select.Budget;
import io.joulegov.policies.select.Percentile;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What another thread asks of the governor's loop: each command is queued, carried out in order on the loop's thread,
 * and answered through its {@code reply}.
 */
sealed interface Command {

    CompletableFuture<?> reply();

    /** A model with its profile, or with none ({@code profile} null: learned on the board under {@code toLearn}). */
    record Register(String model, ProfileTable profile, ProfileKey toLearn, Budget budget, Percentile percentile,
                    CompletableFuture<OperatingPoint> reply) implements Command {
    }

    record Begin(String model, CompletableFuture<Void> reply) implements Command {
    }

    /**
     * Latencies (ms) and how long before {@code arrivedAt} each ended (empty: back to back, the last at arrival);
     * answered with how soon the next report is wanted (zero: at the reporter's own pace).
     */
    record Report(String model, List<Double> latenciesMs, List<Double> endedMsAgo, long arrivedAt,
                  CompletableFuture<Duration> reply) implements Command {
    }

    /** Answered with what was learned of the model (null when nothing), for the caller to save. */
    record Unregister(String model, CompletableFuture<ProfileTable> reply) implements Command {
    }

    record Status(CompletableFuture<GovernorLoop.Status> reply) implements Command {
    }

    /** What was learned of the model so far (null when nothing). */
    record Learned(String model, CompletableFuture<ProfileTable> reply) implements Command {
    }

    /** How much the energy measurements taught. */
    record Energy(CompletableFuture<GovernorCore.Learning> reply) implements Command {
    }
}
