package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

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
 * node's {@linkplain ClusterState#version(int) version}, and a {@link ScoreOrder} keeps the score and
 * GPU choice of each pod shape (memory aside, which FGD does not measure) on every node by version,
 * with the nodes that could hold the shape ordered by score, then node rank ({@link ScoreOrdered}). A
 * decision therefore scores only the nodes changed since a pod of its shape was last decided, instead
 * of every node class. Traces have few distinct shapes (the paper's default trace: 91). Memory: about 25
 * bytes per node per cached shape.
 */
final class FgdPolicy implements PlacementPolicy, ScoreOrdered {
    static final int MAX_CACHED_SHAPES = ScoreOrder.MAX_SHAPES;
    private static final int MILLI = 1000;
    private static final int MAX_GPUS = ClusterState.MAX_GPUS;

    private final TaskShapeDistribution distribution;

    private FragmentationIndex fragmentation;

    private final ScoreOrder order = new ScoreOrder(new ScoreOrder.Scorer() {
        @Override
        public int score(ClusterState state, PlacementRequest pod, int node) {
            return scoreAndChoose(state, pod, node);
        }

        @Override
        public int lastShareGpu() {
            return lastGpu;
        }
    }, false, 1, Integer.MAX_VALUE); // at once and always: without its order FGD scores every class

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
        return order.score(state, pod, node);
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
        return 1 << order.shareGpu(state, pod, node);
    }

    @Override
    public int bestAccepted(ClusterState state, PlacementRequest pod, NodeAcceptor acceptor) {
        compileFor(state);
        return order.bestAccepted(state, pod, acceptor);
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

    /** Binds the fragmentation cache to {@code state}; the score order rebinds itself. */
    private void compileFor(ClusterState state) {
        if (fragmentation == null || fragmentation.state() != state) {
            fragmentation = new FragmentationIndex(state, distribution);
        }
    }
}
