package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * Scores the feasible nodes for one pod and picks the GPUs on the chosen node.
 *
 * <p>The caller runs: {@link #score} for each feasible node, {@link #chooseNode} to pick among them,
 * then {@link #chooseGpus} on the winner ({@link #normalize} is choice-neutral by contract). Scores are
 * ints where higher is better; the paper's policies use 0..100, so ties are common and the
 * {@link TieBreak} decides them.
 */
public interface PlacementPolicy {

    /** The name used in config, CLI and reports, for example {@code fgd}. */
    String name();

    /** Score of placing {@code pod} on {@code node}, which the caller has checked it fits. */
    int score(ClusterState state, PlacementRequest pod, int node);

    /**
     * Rescales the scores of one decision in place (for example min-max); most policies keep them.
     * Contract: monotone, and the raw maxima are exactly the normalised maxima. The placer relies on it
     * and skips normalising, since it cannot change which node is chosen; reports may normalise.
     */
    default void normalize(int[] scores, int count) {
    }

    /** Index into {@code nodes} of the chosen node; by default the highest score, ties to {@code tieBreak}. */
    default int chooseNode(int[] nodes, int[] scores, int count, TieBreak tieBreak) {
        return tieBreak.best(nodes, scores, count);
    }

    /**
     * Whether the policy must see every feasible node rather than one per node class (nodes of equal
     * spec and free state score alike, see {@link io.gantry.core.state.ClusterState#nodeClassCount()}).
     * True only for policies whose choice depends on how many nodes there are, such as a uniformly
     * random pick.
     */
    default boolean needsEveryNode() {
        return false;
    }

    /**
     * The GPUs {@code pod} gets on {@code node} as a bit mask (bit g = GPU g): one bit for a share,
     * {@code gpus} bits for whole GPUs, 0 for a CPU-only pod. The node is known to fit.
     */
    int chooseGpus(ClusterState state, PlacementRequest pod, int node);
}
