package io.gantry.core.gang;

import io.gantry.core.model.InvalidSpecException;

import java.util.Objects;

/**
 * A gang as declared (a PodGroup): its pods carry the key in {@link io.gantry.core.model.PodSpec#gang()}.
 *
 * @param key                   unique key, for example {@code team-a/train-llama}
 * @param minMember             pods that must be placed together, at least 1
 * @param scheduleTimeoutNanos  how long the gang may wait for room before it is reported timed out and
 *                              gives up any reservation; 0 for no timeout
 * @param topology              the domain its members should share
 * @param topologyRequired      true: never spread beyond one domain; false: prefer one, spread if none fits
 */
public record GangSpec(String key, int minMember, long scheduleTimeoutNanos, TopologyLevel topology, boolean topologyRequired) {
    public GangSpec {
        Objects.requireNonNull(key, "gang key");
        topology = topology == null ? TopologyLevel.NONE : topology;
        if (key.isEmpty()) {
            throw new InvalidSpecException("gang", "<unnamed>", "key", "must not be empty");
        }
        if (minMember < 1) {
            throw new InvalidSpecException("gang", key, "minMember", "must be at least 1, got " + minMember);
        }
        if (scheduleTimeoutNanos < 0) {
            throw new InvalidSpecException("gang", key, "scheduleTimeout", "must not be negative, got " + scheduleTimeoutNanos);
        }
    }

    public static GangSpec of(String key, int minMember) {
        return new GangSpec(key, minMember, 0, TopologyLevel.NONE, false);
    }
}
