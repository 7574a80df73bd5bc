package io.gantry.core.placement;

import io.gantry.core.policy.FullnessOrdered;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.ScoreOrdered;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;

/**
 * Decides where one pod goes: the exact fit check on each candidate node, the policy's scores, the
 * policy's choice among the best, then the GPUs on the chosen node.
 *
 * <p>Candidates come from whichever is smaller: the nodes the GPU indexes list (few when the cluster
 * is full), or one node per node class (few when many nodes are alike; see
 * {@link ClusterState#nodeClassCount()}). Both give the same choice. When the indexes list no node,
 * the pod fails at once. Under the fixed-rank tie-break two kinds of policy let the placer skip most
 * nodes with the same choice: a {@link ScoreOrdered} one (FGD, best fit, spread) names the nodes that
 * could hold the pod best first and the placer takes the first that fits and the filter allows; for a
 * pod it keeps no order for, a {@link FullnessOrdered} one (best fit) is searched from the fullest
 * classes until no class left can win.
 *
 * <p><b>Service constraints.</b> A pod with a per-node cap or a spread constraint
 * ({@link PlacementRequest#hasServiceRules()}) breaks the premise of node classes: two nodes of one
 * class may hold different numbers of its service's replicas. Such a pod never uses the class or
 * fullness paths; it takes the policy's score order when there is one (each node is accepted on its
 * own, so the cap is checked per node) and otherwise scores every candidate. With a ScheduleAnyway
 * constraint the candidates with the least excess skew win first and the policy chooses among them.
 *
 * <p>Why a pod does not fit is counted lazily, when {@link PlacementResult#reason()} or
 * {@link PlacementResult#unfitCount} is first read, in one pass over the node classes: a caller that
 * only needs "no" pays nothing for the explanation. One placer per state and policy; not thread-safe.
 */
public final class PodPlacer {
    private final ClusterState state;
    private final PlacementPolicy policy;
    private final TieBreak tieBreak;
    private final boolean byClass;
    private final FullnessSearch fullness;
    private final ScoreOrdered scoreOrdered;
    private final Acceptance acceptance = new Acceptance();
    /** Largest class walked member by member when its lowest-ranked node is ruled out by the filter. */
    private static final int MAX_CLASS_WALK = 32;
    private static final int NONE = -1;
    private static final int TOO_BIG_TO_WALK = -2;
    private final PlacementResult result = new PlacementResult(this);
    private int[] candidates = new int[0];
    private int[] feasible = new int[0];
    private int[] scores = new int[0];
    private int[] excess = new int[0];
    private PlacementRequest lastPod;
    private NodeFilter lastFilter = NodeFilter.ALL;

    public PodPlacer(ClusterState state, PlacementPolicy policy, TieBreak tieBreak) {
        this.state = state;
        this.policy = policy;
        this.tieBreak = tieBreak;
        this.byClass = !policy.needsEveryNode() && tieBreak.isFixedRank(state.rankSeed());
        this.fullness = byClass && policy instanceof FullnessOrdered ordered ? new FullnessSearch(ordered) : null;
        this.scoreOrdered = byClass && policy instanceof ScoreOrdered ordered ? ordered : null;
    }

    /**
     * The policy's own order (highest score, then lowest rank, per pod shape): the first node the fit
     * and the filter accept is the full scan's choice. Null when the policy keeps no order for the pod.
     */
    private PlacementResult decideByScoreOrder(PlacementRequest pod, NodeFilter filter) {
        acceptance.start(pod, filter);
        int node = scoreOrdered.bestAccepted(state, pod, acceptance);
        if (node == ScoreOrdered.NOT_ORDERED) {
            return null;
        }
        if (node < 0) {
            result.unschedulable(state.nodeCount());
            return result;
        }
        result.placed(node, policy.chooseGpus(state, pod, node), policy.score(state, pod, node), acceptance.asked);
        return result;
    }

    /** The placer's side of {@link #decideByScoreOrder}: the exact fit and the filter. One per placer, reused. */
    private final class Acceptance implements ScoreOrdered.NodeAcceptor {
        private PlacementRequest pod;
        private NodeFilter filter;
        int asked;

        void start(PlacementRequest pod, NodeFilter filter) {
            this.pod = pod;
            this.filter = filter;
            asked = 0;
        }

        @Override
        public boolean accepts(int node) {
            asked++;
            return filter.rejects(node) == null && state.fits(pod, node);
        }
    }

    /**
     * Node classes from the fullest, per GPU group, each group abandoned once its bound drops below the
     * best score: the same choice as scoring every class (highest score, then lowest rank), usually
     * after a handful of classes.
     */
    private PlacementResult decideByFullness(PlacementRequest pod, NodeFilter filter) {
        FullnessSearch search = fullness;
        search.start(pod, filter);
        state.visitByFullness(pod, search);
        if (search.tooManyRuledOut) {
            return decideByCandidates(pod, filter);
        }
        if (search.bestNode < 0) {
            result.unschedulable(state.nodeCount());
            return result;
        }
        int node = search.bestNode;
        result.placed(node, policy.chooseGpus(state, pod, node), search.bestScore, search.considered);
        return result;
    }

    /** The visitor of {@link #decideByFullness}; one per placer, reused. */
    private final class FullnessSearch implements ClusterState.FullnessVisitor {
        private final FullnessOrdered ordered;
        private PlacementRequest pod;
        private NodeFilter filter;
        int bestNode;
        int bestScore;
        long bestRank;
        int considered;
        boolean tooManyRuledOut;

        FullnessSearch(FullnessOrdered ordered) {
            this.ordered = ordered;
        }

        void start(PlacementRequest pod, NodeFilter filter) {
            this.pod = pod;
            this.filter = filter;
            bestNode = -1;
            bestScore = Integer.MIN_VALUE;
            considered = 0;
            tooManyRuledOut = false;
        }

        @Override
        public boolean visit(int classId, long bandLowKey) {
            if (bestNode >= 0 && ordered.scoreBound(pod, bandLowKey) < bestScore) {
                return false;
            }
            int node = representative(classId, pod, filter);
            if (node == TOO_BIG_TO_WALK) {
                tooManyRuledOut = true;
                return false;
            }
            if (node == NONE) {
                return true;
            }
            considered++;
            int score = policy.score(state, pod, node);
            long rank = tieBreak.rankOf(node);
            if (score > bestScore || (score == bestScore && Long.compareUnsigned(rank, bestRank) < 0)) {
                bestNode = node;
                bestScore = score;
                bestRank = rank;
            }
            return true;
        }
    }

    public PlacementPolicy policy() {
        return policy;
    }

    /** Decides for {@code pod} without changing the state. The result is reused by the next call. */
    public PlacementResult decide(PlacementRequest pod) {
        return decide(pod, NodeFilter.ALL);
    }

    /**
     * Decides for {@code pod} among the nodes {@code filter} allows, without changing the state. Read
     * the result's reason (when unschedulable) before the state or the filter changes.
     */
    public PlacementResult decide(PlacementRequest pod, NodeFilter filter) {
        ensureScratch(state.nodeSlots());
        lastPod = pod;
        lastFilter = filter;
        int indexed = state.countCandidates(pod);
        if (indexed == 0) {
            result.unschedulable(state.nodeCount());
            return result;
        }
        if (pod.hasServiceRules()) {
            return decideForService(pod, filter);
        }
        if (scoreOrdered != null) {
            PlacementResult ordered = decideByScoreOrder(pod, filter);
            if (ordered != null) {
                return ordered;
            }
        }
        boolean classesFewer = byClass && indexed > state.nodeClassCount();
        if (fullness != null && classesFewer) {
            return decideByFullness(pod, filter);
        }
        int count = classesFewer ? scoreClasses(pod, filter) : -1;
        if (count < 0) {
            count = scoreCandidates(pod, filter);
        }
        return finish(pod, count);
    }

    /**
     * A pod whose service rules make nodes of one class differ: the score order when the policy keeps
     * one for it (exact per node), else every candidate; soft spread always scores every candidate.
     */
    private PlacementResult decideForService(PlacementRequest pod, NodeFilter filter) {
        if (pod.hasSoftSpread()) {
            int count = scoreCandidates(pod, filter);
            return finish(pod, keepLeastExcess(pod, count));
        }
        if (scoreOrdered != null && tieBreak.isFixedRank(state.rankSeed())) {
            PlacementResult ordered = decideByScoreOrder(pod, filter);
            if (ordered != null) {
                return ordered;
            }
        }
        return decideByCandidates(pod, filter);
    }

    /** Keeps, of the {@code count} feasible nodes, those whose ScheduleAnyway skew excess is least; returns how many. */
    private int keepLeastExcess(PlacementRequest pod, int count) {
        int least = Integer.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            excess[i] = state.softSpreadExcess(pod, feasible[i]);
            least = Math.min(least, excess[i]);
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (excess[i] == least) {
                feasible[kept] = feasible[i];
                scores[kept] = scores[i];
                kept++;
            }
        }
        return kept;
    }

    /** The per-node path: every candidate the GPU indexes list. */
    private PlacementResult decideByCandidates(PlacementRequest pod, NodeFilter filter) {
        return finish(pod, scoreCandidates(pod, filter));
    }

    private PlacementResult finish(PlacementRequest pod, int count) {
        if (count == 0) {
            result.unschedulable(state.nodeCount());
            return result;
        }
        int chosen = policy.chooseNode(feasible, scores, count, tieBreak);
        int node = feasible[chosen];
        result.placed(node, policy.chooseGpus(state, pod, node), scores[chosen], count);
        return result;
    }

    private int scoreCandidates(PlacementRequest pod, NodeFilter filter) {
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
        return count;
    }

    /**
     * One node per node class: all members of a class fit and score alike, and each class's first node
     * is its lowest-ranked, so the fixed-rank choice over these nodes equals the choice over all nodes.
     */
    private int scoreClasses(PlacementRequest pod, NodeFilter filter) {
        int count = 0;
        for (int i = 0, n = state.nodeClassCount(); i < n; i++) {
            int node = representative(state.nodeClassId(i), pod, filter);
            if (node == TOO_BIG_TO_WALK) {
                return -1; // the caller scores node by node
            }
            if (node == NONE) {
                continue;
            }
            feasible[count] = node;
            scores[count] = policy.score(state, pod, node);
            count++;
        }
        return count;
    }

    /**
     * The node that speaks for class {@code id} in this decision: its lowest-ranked member the filter
     * allows; {@link #NONE} when the class does not fit or the filter rules out every member;
     * {@link #TOO_BIG_TO_WALK} when its first member is ruled out and the class is too big to walk.
     */
    private int representative(int id, PlacementRequest pod, NodeFilter filter) {
        int node = state.nodeClassFirst(id);
        if (!state.fits(pod, node)) {
            return NONE;
        }
        if (filter.rejects(node) == null) {
            return node;
        }
        return state.nodeClassSize(id) > MAX_CLASS_WALK ? TOO_BIG_TO_WALK : lowestRankedAllowed(id, filter);
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

    /** Counts, for the last unschedulable decision, how many nodes each cause ruled out: one pass over the classes. */
    void explain(PlacementResult into) {
        PlacementRequest pod = lastPod;
        NodeFilter filter = lastFilter;
        if (pod.hasServiceRules()) {
            explainNodeByNode(pod, filter, into);
            return;
        }
        for (int i = 0, n = state.nodeClassCount(); i < n; i++) {
            int id = state.nodeClassId(i);
            UnfitCause cause = state.fitCause(pod, state.nodeClassFirst(id));
            if (cause != null) {
                into.countUnfit(cause, state.nodeClassSize(id));
                continue;
            }
            // the class fits: each member was ruled out by the filter
            for (int j = 0, size = state.nodeClassSize(id); j < size; j++) {
                UnfitCause filtered = filter.rejects(state.nodeClassMember(id, j));
                if (filtered != null) {
                    into.countUnfit(filtered);
                }
            }
        }
    }

    /**
     * The explanation for a pod with service rules: nodes of one class may differ, so every node is
     * checked (cold: only when the reason is read), and the first node of each service cause gives the
     * example in words.
     */
    private void explainNodeByNode(PlacementRequest pod, NodeFilter filter, PlacementResult into) {
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (!state.isLive(node)) {
                continue;
            }
            UnfitCause cause = state.fitCause(pod, node);
            if (cause == null) {
                cause = filter.rejects(node);
            }
            if (cause == null) {
                continue;
            }
            into.countUnfit(cause);
            if ((cause == UnfitCause.SERVICE_CAP || cause == UnfitCause.SPREAD_SKEW || cause == UnfitCause.SPREAD_LABEL_MISSING)
                    && into.example(cause) == null) {
                into.example(cause, state.describeServiceCause(pod, node, cause));
            }
        }
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

    private void ensureScratch(int nodes) {
        if (candidates.length < nodes) {
            int size = Math.max(nodes, candidates.length * 2);
            candidates = new int[size];
            feasible = new int[size];
            scores = new int[size];
            excess = new int[size];
        }
    }
}
