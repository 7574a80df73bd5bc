package io.gantry.core.model;

import java.util.Objects;

/**
 * Replicas of one service kept even across the domains of one topology level, with the semantics of a
 * Kubernetes {@code topologySpreadConstraint} whose label selector matches the service: placing a
 * replica in domain D gives a skew of (replicas in D + 1) - (fewest replicas in any domain), and
 * {@code maxSkew} bounds it.
 *
 * @param level     the topology level whose domains are counted
 * @param maxSkew   largest skew allowed (hard) or preferred (soft), at least 1
 * @param hard      true for {@code whenUnsatisfiable: DoNotSchedule} (a node breaking it is not used);
 *                  false for {@code ScheduleAnyway} (nodes with less skew are preferred)
 */
public record SpreadConstraint(SpreadLevel level, int maxSkew, boolean hard) {
    public SpreadConstraint {
        Objects.requireNonNull(level, "spread constraint level");
        if (maxSkew < 1) {
            throw new IllegalArgumentException("spread constraint on " + level + ": maxSkew must be at least 1, got " + maxSkew);
        }
    }

    /** {@code whenUnsatisfiable: DoNotSchedule}. */
    public static SpreadConstraint doNotSchedule(SpreadLevel level, int maxSkew) {
        return new SpreadConstraint(level, maxSkew, true);
    }

    /** {@code whenUnsatisfiable: ScheduleAnyway}. */
    public static SpreadConstraint scheduleAnyway(SpreadLevel level, int maxSkew) {
        return new SpreadConstraint(level, maxSkew, false);
    }
}
