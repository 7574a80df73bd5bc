package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
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
 * and a score tries up to G GPU choices, so a cold score is O(T * G^2). Two caches keep a decision far
 * below the naive O(N * T * G^2) for N nodes: F of each node is kept with the node's
 * {@linkplain ClusterState#version(int) version}, and the score and GPU choice of each (node, pod shape)
 * pair are kept with the version they were computed at, for up to {@value #MAX_CACHED_SHAPES} distinct
 * pod shapes. A decision therefore costs O(N) cache reads plus O(T * G^2) for each node that changed
 * since a pod of the same shape was last scored. Traces have few distinct shapes (the paper's default
 * trace: 91), so in steady state each decision recomputes a handful of nodes. Memory: 16 bytes per
 * node per cached shape, allocated when the shape is first seen. Shapes beyond the cap are scored
 * without the cache.
 */
final class FgdPolicy implements PlacementPolicy {
    static final int MAX_CACHED_SHAPES = 128;
    private static final int MILLI = 1000;
    private static final int MAX_GPUS = ClusterState.MAX_GPUS;

    private final TaskShapeDistribution distribution;

    private FragmentationIndex fragmentation;

    private final PodShapeTable podShapes = new PodShapeTable(MAX_CACHED_SHAPES);
    private final int[][] cachedScore = new int[MAX_CACHED_SHAPES][];
    private final int[][] cachedGpu = new int[MAX_CACHED_SHAPES][];
    private final long[][] cachedVersion = new long[MAX_CACHED_SHAPES][];

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
        compileFor(state);
        int slot = podShapes.slotOf(pod.cpuMilli(), pod.gpus(), pod.gpuMilli(), pod.modelMask());
        if (slot < 0) {
            return scoreAndChoose(state, pod, node);
        }
        ensureSlot(slot, state.nodeSlots());
        long version = state.version(node);
        if (cachedVersion[slot][node] == version) {
            return cachedScore[slot][node];
        }
        int score = scoreAndChoose(state, pod, node);
        cachedScore[slot][node] = score;
        cachedGpu[slot][node] = lastGpu;
        cachedVersion[slot][node] = version;
        return score;
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        if (pod.gpus() > 0) {
            return GpuPicks.lowestFree(state, node, pod.gpus());
        }
        if (pod.gpuMilli() == 0) {
            return 0;
        }
        compileFor(state);
        int slot = podShapes.slotOf(pod.cpuMilli(), pod.gpus(), pod.gpuMilli(), pod.modelMask());
        if (slot >= 0 && cachedVersion[slot] != null && cachedVersion[slot].length > node
                && cachedVersion[slot][node] == state.version(node)) {
            return 1 << cachedGpu[slot][node];
        }
        scoreAndChoose(state, pod, node);
        return 1 << lastGpu;
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
        Arrays.fill(cachedScore, null);
        Arrays.fill(cachedGpu, null);
        Arrays.fill(cachedVersion, null);
    }

    private void ensureSlot(int slot, int nodes) {
        long[] versions = cachedVersion[slot];
        if (versions != null && versions.length >= nodes) {
            return;
        }
        int size = versions == null ? nodes : Math.max(nodes, versions.length * 2);
        int old = versions == null ? 0 : versions.length;
        cachedScore[slot] = cachedScore[slot] == null ? new int[size] : Arrays.copyOf(cachedScore[slot], size);
        cachedGpu[slot] = cachedGpu[slot] == null ? new int[size] : Arrays.copyOf(cachedGpu[slot], size);
        cachedVersion[slot] = versions == null ? new long[size] : Arrays.copyOf(versions, size);
        Arrays.fill(cachedVersion[slot], old, size, -1);
    }
}
