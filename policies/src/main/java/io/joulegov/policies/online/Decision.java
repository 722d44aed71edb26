package io.joulegov.policies.online;

import io.joulegov.policies.profile.OperatingPoint;

/** What the controller wants held now, for whom ({@code null} when idle) and why, in a few words. */
public record Decision(OperatingPoint point, String model, String reason) {

    public boolean idle() {
        return model == null;
    }
}
