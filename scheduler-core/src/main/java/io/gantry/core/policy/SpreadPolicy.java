package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * Least allocated first, for inference replicas that should not share a failure domain: the score is
 * the mean free fraction of CPU, memory and (on GPU nodes) GPU left after placement, 0..100, so the
 * emptiest node wins; a share goes to the emptiest GPU on it.
 */
final class SpreadPolicy implements PlacementPolicy {

    @Override
    public String name() {
        return "spread";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
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
