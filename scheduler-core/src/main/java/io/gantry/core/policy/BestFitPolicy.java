package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * Best fit: the node left with the least CPU and GPU after placement, each weighted one half and
 * measured against the largest node shape of the paper's cluster (128 cores, 8 GPUs), so the score is
 * {@code trunc(100 * (1 - (0.5 * cpuLeft / 128 cores + 0.5 * gpuMilliLeft / 8000)))}, then min-max
 * normalised to 0..100 over the feasible nodes of the decision. Shares go to the tightest GPU.
 *
 * <p>Two ways for the placer to skip most nodes with the same choice: the scores are kept per pod shape
 * (CPU and GPUs; memory does not count) in a {@link ScoreOrder}, best first ({@link ScoreOrdered}), and
 * for shapes beyond its cap the score falls as the node's fullness key rises ({@link FullnessOrdered}),
 * which lets the placer visit the fullest node classes first and stop early. {@link #score} itself
 * computes, since that is cheaper than a cache lookup.
 */
final class BestFitPolicy implements PlacementPolicy, ScoreOrdered, FullnessOrdered {
    static final double MAX_CPU_MILLI = 128_000;
    static final double MAX_GPU_MILLI = 8_000;

    /**
     * A shape gets its score order on its fourth decision: building it scores every node once, while
     * until then its fullness search costs about as much as one build, so one-off shapes are cheaper without.
     */
    static final int DECISIONS_BEFORE_ORDER = 4;
    /**
     * A decision by fullness visits about a hundred classes on a busy cluster; catching up costs one
     * score and a heap move per changed node, so past this many changes per decision the search wins.
     */
    static final int CATCH_UP_PER_DECISION = 64;

    private final ScoreOrder order = new ScoreOrder(new ScoreOrder.Scorer() {
        @Override
        public int score(ClusterState state, PlacementRequest pod, int node) {
            return leastLeft(state, pod, node);
        }

        @Override
        public int lastShareGpu() {
            return -1; // chooseGpus takes the tightest GPU from the state; nothing to keep
        }
    }, false, DECISIONS_BEFORE_ORDER, CATCH_UP_PER_DECISION);

    @Override
    public String name() {
        return "bestfit";
    }

    @Override
    public int bestAccepted(ClusterState state, PlacementRequest pod, NodeAcceptor acceptor) {
        return order.bestAccepted(state, pod, acceptor);
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        return leastLeft(state, pod, node);
    }

    private static int leastLeft(ClusterState state, PlacementRequest pod, int node) {
        double cpuLeft = state.cpuFree(node) - pod.cpuMilli();
        double gpuLeft = state.freeGpuMilli(node) - pod.totalGpuMilli();
        return (int) (100 * (1 - (0.5 * cpuLeft / MAX_CPU_MILLI + 0.5 * gpuLeft / MAX_GPU_MILLI)));
    }

    /**
     * The score is {@code trunc(100 * (1 - (K - cpu - 16 * gpu) / 256000))} for a node of fullness key
     * K, so it never rises with K; one point of slack covers floating point rounding.
     */
    @Override
    public int scoreBound(PlacementRequest pod, long key) {
        double left = key - pod.cpuMilli() - 16.0 * pod.totalGpuMilli();
        return (int) (100 * (1 - left / (2 * MAX_CPU_MILLI))) + 1;
    }

    @Override
    public void normalize(int[] scores, int count) {
        ScoreNormalizer.minMax(scores, count);
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        return GpuPicks.tightest(state, pod, node);
    }
}
