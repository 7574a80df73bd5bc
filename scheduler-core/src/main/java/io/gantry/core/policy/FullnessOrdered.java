package io.gantry.core.policy;

import io.gantry.core.state.PlacementRequest;

/**
 * A policy whose score never rises as a node's fullness key (free CPU milli + 16 x free GPU milli,
 * {@link io.gantry.core.state.ClusterState#fullnessKey}) grows, so the placer can visit nodes from the
 * fullest and stop once no node left could beat the best score found.
 */
public interface FullnessOrdered {

    /**
     * At least the score of {@code pod} on any node whose fullness key is {@code key} or more.
     * Must not increase with {@code key}.
     */
    int scoreBound(PlacementRequest pod, long key);
}
