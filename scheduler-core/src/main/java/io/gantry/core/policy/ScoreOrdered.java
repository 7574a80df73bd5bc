package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * A policy that keeps, per pod shape, the nodes that could hold the pod ordered by score and then by
 * node rank, so the placer can take the best node without scoring every node class.
 *
 * <p>The answer must be exactly the full scan's: among the nodes the acceptor accepts, the highest
 * {@link PlacementPolicy#score}, ties to the lowest {@link io.gantry.core.state.NodeRank} under
 * {@link ClusterState#rankSeed()} (compared unsigned). The placer asks only when its tie-break is that
 * fixed rank.
 */
public interface ScoreOrdered {
    /** Returned by {@link #bestAccepted} when the policy keeps no order for this pod: score as usual. */
    int NOT_ORDERED = -2;

    /**
     * The node {@code acceptor} accepts with the highest score, lowest rank on ties; -1 when it accepts
     * none of the nodes that could hold the pod; {@link #NOT_ORDERED} when this pod's shape is not kept.
     * The acceptor is asked only about nodes whose free GPUs and CPU could hold the pod, best first,
     * and should check everything else (the full fit, the caller's filter).
     */
    int bestAccepted(ClusterState state, PlacementRequest pod, NodeAcceptor acceptor);

    /** The caller's final word on a node the policy proposes. */
    @FunctionalInterface
    interface NodeAcceptor {
        boolean accepts(int node);
    }
}
