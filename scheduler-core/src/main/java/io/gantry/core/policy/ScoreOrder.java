package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.GpuModelRegistry;
import io.gantry.core.state.NodeRank;
import io.gantry.core.state.PlacementRequest;

import java.util.Arrays;

/**
 * A policy's scores kept per pod shape and ordered for {@link ScoreOrdered}: for each of up to
 * {@value #MAX_SHAPES} distinct shapes a {@link ShapeScores} holds the score and share GPU on every node
 * by node version, with the nodes that could hold the shape ordered by score, then node rank.
 *
 * <p>Before a decision the shape's entries catch up on the nodes changed since it was last asked, read
 * from the state's change log ({@link ClusterState#changedNode}); a shape that fell further behind than
 * the log keeps rereads every node's version. So a decision costs one score per node changed since,
 * plus O(log N) each to move it in the order, plus the nodes the placer refuses: not O(N). A policy
 * whose placer has a cheap search of its own caps that catch-up per decision: a rare shape among many
 * changes is then left to the placer until enough of its decisions share the debt.
 *
 * <p>A shape is what the score and the GPU-and-CPU fit depend on: CPU, whole GPUs, share, GPU model
 * mask, and memory when the policy scores it. Building a shape's order scores every node once, so a
 * policy whose placer has a cheap pruned search without it may ask that a shape come back a few times
 * first ({@code decisionsBeforeOrder}): a one-off shape then costs neither the build nor about 25 bytes
 * per node. Until then, and for shapes beyond the cap, scores are computed without a cache and the
 * placer is told {@link ScoreOrdered#NOT_ORDERED}. Bound to the first state it is used with; a new state
 * starts afresh. Allocates only when a shape gets its order or the node table grows.
 */
final class ScoreOrder {
    static final int MAX_SHAPES = 128;

    /** The policy's scoring, uncached. */
    interface Scorer {
        /** Score of {@code pod} on the live {@code node}, higher is better. */
        int score(ClusterState state, PlacementRequest pod, int node);

        /** The share GPU the last {@link #score} picked, or -1 (whole-GPU and CPU-only pods). */
        int lastShareGpu();
    }

    private final Scorer scorer;
    private final boolean memoryScored;
    private final int decisionsBeforeOrder;
    private final int catchUpPerDecision;
    private final PodShapeTable podShapes = new PodShapeTable(MAX_SHAPES);
    private final ShapeScores[] shapeScores = new ShapeScores[MAX_SHAPES];
    /** Per shape without an order yet, the decisions asked for it so far. */
    private final int[] decisionsSeen = new int[MAX_SHAPES];
    private ClusterState state;
    /** The fixed rank of each node under the state's rank seed: the order within a score. */
    private long[] rank = new long[0];

    /**
     * @param memoryScored            whether the score depends on the pod's memory (then it is part of the shape)
     * @param decisionsBeforeOrder    the decisions a shape must come to before it gets an order (1: at once)
     * @param catchUpPerDecision      the node changes a decision may catch up on, on average since the
     *                                shape's last catch-up, before the placer's own search is cheaper
     *                                ({@link Integer#MAX_VALUE}: always catch up)
     */
    ScoreOrder(Scorer scorer, boolean memoryScored, int decisionsBeforeOrder, int catchUpPerDecision) {
        this.scorer = scorer;
        this.memoryScored = memoryScored;
        this.decisionsBeforeOrder = decisionsBeforeOrder;
        this.catchUpPerDecision = catchUpPerDecision;
    }

    /** The score of {@code pod} on {@code node}, from the cache when the node has not changed since. */
    int score(ClusterState state, PlacementRequest pod, int node) {
        ShapeScores scores = scoresFor(state, pod, false);
        if (scores == null) {
            return scorer.score(state, pod, node);
        }
        refresh(scores, state, pod, node);
        return scores.score(node);
    }

    /** The share GPU the score of {@code pod} on {@code node} picked, or -1. */
    int shareGpu(ClusterState state, PlacementRequest pod, int node) {
        ShapeScores scores = scoresFor(state, pod, false);
        if (scores == null) {
            scorer.score(state, pod, node);
            return scorer.lastShareGpu();
        }
        refresh(scores, state, pod, node);
        return scores.gpu(node);
    }

    /** See {@link ScoreOrdered#bestAccepted}. */
    int bestAccepted(ClusterState state, PlacementRequest pod, ScoreOrdered.NodeAcceptor acceptor) {
        ShapeScores scores = scoresFor(state, pod, true);
        if (scores == null) {
            return ScoreOrdered.NOT_ORDERED;
        }
        long behind = state.changeCount() - scores.syncedChanges;
        if (scores.syncedChanges >= 0 && behind > (long) catchUpPerDecision * (scores.decisionsBehind + 1)) {
            // a shape that comes rarely among many changes: the placer's own search is cheaper, and the
            // debt is paid once enough decisions share it
            scores.decisionsBehind++;
            return ScoreOrdered.NOT_ORDERED;
        }
        scores.decisionsBehind = 0;
        catchUp(scores, state, pod);
        return scores.best(acceptor, rank);
    }

    /** Brings every entry of {@code scores} up to the state's current versions. */
    private void catchUp(ShapeScores scores, ClusterState state, PlacementRequest pod) {
        long changes = state.changeCount();
        if (scores.syncedChanges < state.oldestKeptChange()) {
            for (int node = 0, slots = state.nodeSlots(); node < slots; node++) {
                refresh(scores, state, pod, node);
            }
        } else {
            for (long change = scores.syncedChanges; change < changes; change++) {
                refresh(scores, state, pod, state.changedNode(change));
            }
        }
        scores.syncedChanges = changes;
    }

    /** Recomputes {@code node}'s entry when the node changed since it was computed. */
    private void refresh(ShapeScores scores, ClusterState state, PlacementRequest pod, int node) {
        long version = state.version(node);
        if (scores.isCurrent(node, version)) {
            return;
        }
        if (!state.isLive(node)) {
            scores.forget(node, version, rank);
            return;
        }
        int score = scorer.score(state, pod, node);
        scores.put(node, version, score, scorer.lastShareGpu(), holds(state, pod, node), rank);
    }

    /**
     * Whether the node's free GPUs and CPU (and memory, when scored) could take the pod: what the pod's
     * shape decides of the fit. The rest (cordon, taints, selector, GPU memory, and memory when not
     * scored) is the placer's to check.
     */
    private boolean holds(ClusterState state, PlacementRequest pod, int node) {
        if (pod.cpuMilli() > state.cpuFree(node) || (memoryScored && pod.memoryBytes() > state.memoryFree(node))) {
            return false;
        }
        if (!pod.asksGpu()) {
            return true;
        }
        if (state.gpuCount(node) == 0 || !GpuModelRegistry.accepts(pod.modelMask(), state.gpuModelId(node))) {
            return false;
        }
        return pod.gpus() > 0 ? state.freeWholeGpus(node) >= pod.gpus() : state.largestFreeShare(node) >= pod.gpuMilli();
    }

    /**
     * The cached scores of the pod's shape, sized to the state; null when the shape has no order (yet).
     * {@code deciding}: this is a decision, which counts towards the shape's order.
     */
    private ShapeScores scoresFor(ClusterState state, PlacementRequest pod, boolean deciding) {
        if (this.state != state) {
            this.state = state;
            podShapes.clear();
            Arrays.fill(shapeScores, null);
            Arrays.fill(decisionsSeen, 0);
            rank = new long[0];
        }
        int slot = podShapes.slotOf(pod.cpuMilli(), memoryScored ? pod.memoryBytes() : 0, pod.gpus(), pod.gpuMilli(), pod.modelMask());
        if (slot < 0) {
            return null;
        }
        if (shapeScores[slot] == null && (!deciding || ++decisionsSeen[slot] < decisionsBeforeOrder)) {
            return null;
        }
        int slots = state.nodeSlots();
        if (rank.length < slots) {
            int old = rank.length;
            rank = Arrays.copyOf(rank, Math.max(slots, old * 2));
            for (int node = old; node < rank.length; node++) {
                rank[node] = NodeRank.of(state.rankSeed(), node);
            }
        }
        ShapeScores scores = shapeScores[slot];
        if (scores == null) {
            scores = new ShapeScores(slots);
            shapeScores[slot] = scores;
        }
        scores.ensureNodes(slots);
        return scores;
    }
}
