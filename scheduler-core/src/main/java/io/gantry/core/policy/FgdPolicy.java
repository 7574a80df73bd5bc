package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.GpuModelRegistry;
import io.gantry.core.state.NodeRank;
import io.gantry.core.state.PlacementRequest;

import java.util.Arrays;

/**
 * Fragmentation gradient descent (Weng et al., USENIX ATC 2023): place the pod where it increases the
 * expected GPU fragmentation of the cluster the least.
 *
 * <p>A node's fragmentation F is measured by a {@link FragmentationIndex} against the
 * {@link TaskShapeDistribution}. The score of a placement is
 * {@code trunc(100 * sigmoid((F before - F after) / 1000))}, maximised over the GPUs the pod could
 * take on the node (lowest GPU index on ties); whole GPUs go to the lowest free indexes, since all fully
 * free GPUs are alike.
 *
 * <p><b>Cost.</b> Computing F for one node state is O(T * G) for T typical shapes and G GPUs per node,
 * and a score tries up to G GPU choices, so a cold score is O(T * G^2). F of each node is kept with the
 * node's {@linkplain ClusterState#version(int) version}, and for each of up to
 * {@value #MAX_CACHED_SHAPES} distinct pod shapes a {@link ShapeScores} keeps the score and GPU choice on
 * every node by version, with the nodes that could hold the shape ordered by score, then node rank
 * ({@link ScoreOrdered}). Before a decision the shape's scores catch up on the nodes changed since it
 * was last asked ({@link ClusterState#changedNode}), so a decision costs O(T * G^2 + log N) per changed
 * node plus the nodes the placer refuses, not O(N): the best node is the top of the highest score.
 * Traces have few distinct shapes (the paper's default trace: 91). Memory: about 19 bytes per node
 * per cached shape, allocated when the shape is first seen. Shapes beyond the cap are scored without
 * the cache, node by node.
 */
final class FgdPolicy implements PlacementPolicy, ScoreOrdered {
    static final int MAX_CACHED_SHAPES = 128;
    private static final int MILLI = 1000;
    private static final int MAX_GPUS = ClusterState.MAX_GPUS;

    private final TaskShapeDistribution distribution;

    private FragmentationIndex fragmentation;

    private final PodShapeTable podShapes = new PodShapeTable(MAX_CACHED_SHAPES);
    private final ShapeScores[] shapeScores = new ShapeScores[MAX_CACHED_SHAPES];
    /** The fixed rank of each node under the state's rank seed: the order within a score. */
    private long[] rank = new long[0];

    private final int[] scratch = new int[MAX_GPUS];
    private int lastGpu;

    FgdPolicy(TaskShapeDistribution distribution) {
        this.distribution = distribution;
    }

    @Override
    public String name() {
        return "fgd";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        ShapeScores scores = scoresFor(state, pod);
        if (scores == null) {
            return scoreAndChoose(state, pod, node);
        }
        refresh(scores, state, pod, node);
        return scores.score(node);
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        if (pod.gpus() > 0) {
            return GpuPicks.lowestFree(state, node, pod.gpus());
        }
        if (pod.gpuMilli() == 0) {
            return 0;
        }
        ShapeScores scores = scoresFor(state, pod);
        if (scores == null) {
            scoreAndChoose(state, pod, node);
            return 1 << lastGpu;
        }
        refresh(scores, state, pod, node);
        return 1 << scores.gpu(node);
    }

    @Override
    public int bestAccepted(ClusterState state, PlacementRequest pod, NodeAcceptor acceptor) {
        ShapeScores scores = scoresFor(state, pod);
        if (scores == null) {
            return NOT_ORDERED;
        }
        catchUp(scores, state, pod);
        return scores.best(acceptor, rank);
    }

    /** Brings every entry of {@code scores} up to the state's current versions. */
    private void catchUp(ShapeScores scores, ClusterState state, PlacementRequest pod) {
        long changes = state.changeCount();
        if (scores.syncedChanges < 0 || changes - scores.syncedChanges > state.changesKept()) {
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
        int score = scoreAndChoose(state, pod, node);
        scores.put(node, version, score, lastGpu, holds(state, pod, node), rank);
    }

    /**
     * Whether the node's free GPUs and CPU could take the pod: what the pod's shape decides of the fit.
     * The rest (cordon, taints, selector, memory, GPU memory) is the placer's to check.
     */
    private static boolean holds(ClusterState state, PlacementRequest pod, int node) {
        if (pod.cpuMilli() > state.cpuFree(node)) {
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

    /** The cached scores of the pod's shape, sized to the state; null when the shape table is full. */
    private ShapeScores scoresFor(ClusterState state, PlacementRequest pod) {
        compileFor(state);
        int slot = podShapes.slotOf(pod.cpuMilli(), pod.gpus(), pod.gpuMilli(), pod.modelMask());
        if (slot < 0) {
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

    /** Scores {@code pod} on {@code node} and leaves the best share GPU in {@link #lastGpu}. */
    private int scoreAndChoose(ClusterState state, PlacementRequest pod, int node) {
        double before = fragmentation.of(node);
        int gpus = state.gpuCount(node);
        int model = state.gpuModelId(node);
        long cpuAfter = state.cpuFree(node) - pod.cpuMilli();
        for (int g = 0; g < gpus; g++) {
            scratch[g] = state.gpuFree(node, g);
        }
        lastGpu = -1;
        if (pod.gpus() > 0) {
            for (int g = 0, taken = 0; g < gpus && taken < pod.gpus(); g++) {
                if (scratch[g] == MILLI) {
                    scratch[g] = 0;
                    taken++;
                }
            }
            return sigmoidScore(before - fragmentation.compute(model, cpuAfter, scratch, gpus));
        }
        if (pod.gpuMilli() == 0) {
            return sigmoidScore(before - fragmentation.compute(model, cpuAfter, scratch, gpus));
        }
        int best = -1;
        for (int g = 0; g < gpus; g++) {
            int free = scratch[g];
            if (free < pod.gpuMilli() || seenEarlier(g, free)) {
                continue;
            }
            scratch[g] = free - pod.gpuMilli();
            int score = sigmoidScore(before - fragmentation.compute(model, cpuAfter, scratch, gpus));
            scratch[g] = free;
            if (score > best) {
                best = score;
                lastGpu = g;
            }
        }
        return best;
    }

    /** GPUs with equal free milli give equal scores; only the lowest index of each value is tried. */
    private boolean seenEarlier(int g, int free) {
        for (int k = 0; k < g; k++) {
            if (scratch[k] == free) {
                return true;
            }
        }
        return false;
    }

    private static int sigmoidScore(double fragmentationDecrease) {
        return (int) (100.0 / (1.0 + Math.exp(-fragmentationDecrease / MILLI)));
    }

    /** Binds the caches to {@code state}; a policy used with a new state starts afresh. */
    private void compileFor(ClusterState state) {
        if (fragmentation != null && fragmentation.state() == state) {
            return;
        }
        fragmentation = new FragmentationIndex(state, distribution);
        podShapes.clear();
        Arrays.fill(shapeScores, null);
        rank = new long[0];
    }
}
