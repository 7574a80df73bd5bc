package io.gantry.core.placement;

import io.gantry.core.state.UnfitCause;

/**
 * A constraint the caller adds to one decision on top of the pod's own fit: nodes reserved for
 * another gang, or outside the topology domain a gang is being planned in.
 */
@FunctionalInterface
public interface NodeFilter {
    NodeFilter ALL = node -> null;

    /** Why {@code node} is ruled out for this decision, or null when it may be used. */
    UnfitCause rejects(int node);
}
