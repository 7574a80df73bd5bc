package io.gantry.core.placement;

import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;

/**
 * Decides where one pod goes: candidates from the state's indexes, the exact fit check on each, the
 * policy's scores, the policy's choice among the best, then the GPUs on the chosen node.
 *
 * <p>When nothing fits, every node is checked once more to count the causes, so the result says why;
 * that scan is O(nodes) and only happens on failure. One placer per state and policy; not thread-safe.
 */
public final class PodPlacer {
    private final ClusterState state;
    private final PlacementPolicy policy;
    private final TieBreak tieBreak;
    private final boolean byClass;
    private final PlacementResult result = new PlacementResult();
    private int[] candidates = new int[0];
    private int[] feasible = new int[0];
    private int[] scores = new int[0];

    public PodPlacer(ClusterState state, PlacementPolicy policy, TieBreak tieBreak) {
        this.state = state;
        this.policy = policy;
        this.tieBreak = tieBreak;
        this.byClass = !policy.needsEveryNode() && tieBreak.isFixedRank(state.rankSeed());
    }

    /**
     * One node per node class: all members of a class fit and score alike, and each class's first node
     * is its lowest-ranked, so the fixed-rank choice over these nodes equals the choice over all nodes.
     * O(classes) instead of O(nodes).
     */
    private PlacementResult decideByClass(PlacementRequest pod, NodeFilter filter) {
        int count = 0;
        for (int i = 0, n = state.nodeClassCount(); i < n; i++) {
            int id = state.nodeClassId(i);
            int node = state.nodeClassFirst(id);
            if (!state.fits(pod, node)) {
                continue;
            }
            if (filter.rejects(node) != null) {
                node = lowestRankedAllowed(id, filter);
                if (node < 0) {
                    continue;
                }
            }
            feasible[count] = node;
            scores[count] = policy.score(state, pod, node);
            count++;
        }
        if (count == 0) {
            explainByClass(pod, filter);
            return result;
        }
        int chosen = policy.chooseNode(feasible, scores, count, tieBreak);
        int node = feasible[chosen];
        result.placed(node, policy.chooseGpus(state, pod, node), scores[chosen], count);
        return result;
    }

    /** The member of class {@code id} with the lowest rank that {@code filter} allows, or -1. O(class size). */
    private int lowestRankedAllowed(int id, NodeFilter filter) {
        int best = -1;
        for (int j = 0, size = state.nodeClassSize(id); j < size; j++) {
            int node = state.nodeClassMember(id, j);
            if (filter.rejects(node) == null && (best < 0 || Long.compareUnsigned(tieBreak.rankOf(node), tieBreak.rankOf(best)) < 0)) {
                best = node;
            }
        }
        return best;
    }

    private void explainByClass(PlacementRequest pod, NodeFilter filter) {
        result.resetUnschedulable(state.nodeCount());
        for (int i = 0, n = state.nodeClassCount(); i < n; i++) {
            int id = state.nodeClassId(i);
            UnfitCause cause = state.fitCause(pod, state.nodeClassFirst(id));
            if (cause != null) {
                result.countUnfit(cause, state.nodeClassSize(id));
                continue;
            }
            // the class fits: each member was ruled out by the filter
            for (int j = 0, size = state.nodeClassSize(id); j < size; j++) {
                UnfitCause filtered = filter.rejects(state.nodeClassMember(id, j));
                if (filtered != null) {
                    result.countUnfit(filtered);
                }
            }
        }
    }

    public PlacementPolicy policy() {
        return policy;
    }

    /** Decides for {@code pod} without changing the state. The result is reused by the next call. */
    public PlacementResult decide(PlacementRequest pod) {
        return decide(pod, NodeFilter.ALL);
    }

    /** Decides for {@code pod} among the nodes {@code filter} allows, without changing the state. */
    public PlacementResult decide(PlacementRequest pod, NodeFilter filter) {
        ensureScratch(state.nodeSlots());
        if (byClass) {
            return decideByClass(pod, filter);
        }
        int candidateCount = state.collectCandidates(pod, candidates);
        int count = 0;
        for (int i = 0; i < candidateCount; i++) {
            int node = candidates[i];
            if (filter.rejects(node) == null && state.fits(pod, node)) {
                feasible[count] = node;
                scores[count] = policy.score(state, pod, node);
                count++;
            }
        }
        if (count == 0) {
            explain(pod, filter);
            return result;
        }
        int chosen = policy.chooseNode(feasible, scores, count, tieBreak);
        int node = feasible[chosen];
        result.placed(node, policy.chooseGpus(state, pod, node), scores[chosen], count);
        return result;
    }

    /** Decides for {@code pod} and, when placed, assumes the placement in the state. */
    public PlacementResult place(PlacementRequest pod) {
        return place(pod, NodeFilter.ALL);
    }

    /** Decides for {@code pod} among the nodes {@code filter} allows and, when placed, assumes it. */
    public PlacementResult place(PlacementRequest pod, NodeFilter filter) {
        PlacementResult decision = decide(pod, filter);
        if (decision.isPlaced()) {
            state.assume(pod, decision.node(), decision.gpuMask());
        }
        return decision;
    }

    private void explain(PlacementRequest pod, NodeFilter filter) {
        result.resetUnschedulable(state.nodeCount());
        for (int node = 0, slots = state.nodeSlots(); node < slots; node++) {
            if (state.isLive(node)) {
                UnfitCause cause = filter.rejects(node);
                if (cause == null) {
                    cause = state.fitCause(pod, node);
                }
                if (cause != null) {
                    result.countUnfit(cause);
                }
            }
        }
    }

    private void ensureScratch(int nodes) {
        if (candidates.length < nodes) {
            int size = Math.max(nodes, candidates.length * 2);
            candidates = new int[size];
            feasible = new int[size];
            scores = new int[size];
        }
    }
}
