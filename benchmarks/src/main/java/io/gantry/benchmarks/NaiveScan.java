package io.gantry.benchmarks;

import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * The baselines' way of placing a pod: check every node, score every node that fits with the same
 * policy, take the best with the same tie-break. No node classes, no candidate indexes; the same
 * choice as {@link io.gantry.core.placement.PodPlacer} (its setup checks), at O(nodes) per decision.
 */
final class NaiveScan {
    private final int[] feasible;
    private final int[] scores;

    NaiveScan(int nodeSlots) {
        feasible = new int[nodeSlots];
        scores = new int[nodeSlots];
    }

    /** The chosen node for {@code pod}, or -1 when it fits nowhere. */
    int bestNode(ClusterState state, PlacementPolicy policy, TieBreak tieBreak, PlacementRequest pod) {
        int count = 0;
        for (int node = 0, slots = state.nodeSlots(); node < slots; node++) {
            if (state.isLive(node) && state.fits(pod, node)) {
                feasible[count] = node;
                scores[count] = policy.score(state, pod, node);
                count++;
            }
        }
        return count == 0 ? -1 : feasible[tieBreak.best(feasible, scores, count)];
    }
}
