package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * Least allocated first, for inference replicas that should not share a failure domain: the score is
 * the mean free fraction of CPU, memory and (on GPU nodes) GPU left after placement, 0..100, so the
 * emptiest node wins; a share goes to the emptiest GPU on it.
 *
 * <p>Scores are also kept per pod shape (CPU, memory and GPUs all count) in a {@link ScoreOrder}, so
 * the placer takes the emptiest node from the top of the order ({@link ScoreOrdered}) and a decision
 * rescores only the nodes changed since a pod of its shape was last decided. {@link #score} itself
 * computes, since that is cheaper than a cache lookup.
 */
final class SpreadPolicy implements PlacementPolicy, ScoreOrdered {
    /**
     * A shape gets its score order on its fourth decision: building it scores every node once, while
     * until then a scan of the node classes costs about as much as one build, so one-off shapes are cheaper without.
     */
    static final int DECISIONS_BEFORE_ORDER = 4;

    private final ScoreOrder order = new ScoreOrder(new ScoreOrder.Scorer() {
        @Override
        public int score(ClusterState state, PlacementRequest pod, int node) {
            return leastAllocated(state, pod, node);
        }

        @Override
        public int lastShareGpu() {
            return -1; // chooseGpus takes the emptiest GPU from the state; nothing to keep
        }
    }, true, DECISIONS_BEFORE_ORDER, Integer.MAX_VALUE); // its fallback scans every class: never cheaper

    @Override
    public String name() {
        return "spread";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        return leastAllocated(state, pod, node); // cheaper than a cache lookup
    }

    @Override
    public int bestAccepted(ClusterState state, PlacementRequest pod, NodeAcceptor acceptor) {
        return order.bestAccepted(state, pod, acceptor);
    }

    private static int leastAllocated(ClusterState state, PlacementRequest pod, int node) {
        double sum = fraction(state.cpuFree(node) - pod.cpuMilli(), state.cpuCapacity(node))
                + fraction(state.memoryFree(node) - pod.memoryBytes(), state.memoryCapacity(node));
        int dims = 2;
        int gpus = state.gpuCount(node);
        if (gpus > 0) {
            sum += fraction(state.freeGpuMilli(node) - pod.totalGpuMilli(), gpus * 1000L);
            dims++;
        }
        return (int) (100 * sum / dims);
    }

    private static double fraction(long left, long capacity) {
        return capacity <= 0 ? 0 : (double) left / capacity;
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        if (pod.gpuMilli() > 0) {
            return 1 << GpuPicks.emptiestShare(state, node, pod.gpuMilli());
        }
        return GpuPicks.lowestFree(state, node, pod.gpus());
    }
}
