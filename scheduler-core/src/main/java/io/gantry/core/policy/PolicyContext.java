package io.gantry.core.policy;

import java.util.Objects;

/**
 * What a policy may be given when built: the seed for any randomness it uses, and the expected
 * distribution of task shapes (FGD measures fragmentation against it).
 */
public record PolicyContext(long seed, TaskShapeDistribution taskShapes) {
    public PolicyContext {
        Objects.requireNonNull(taskShapes, "taskShapes");
    }

    public static PolicyContext of(long seed) {
        return new PolicyContext(seed, TaskShapeDistribution.EMPTY);
    }
}
