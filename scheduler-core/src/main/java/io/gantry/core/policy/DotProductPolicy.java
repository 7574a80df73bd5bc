package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * Dot product (Tetris-style alignment): the node's free vector [CPU / 128 cores, GPU milli / 8000]
 * dotted with the pod's request in the same units; a smaller product means the pod fills a node whose
 * free resources are already scarce, so the score is {@code trunc(100 * (1 - dot / 2))}, not normalised.
 */
final class DotProductPolicy implements PlacementPolicy {

    @Override
    public String name() {
        return "dotprod";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        double dot = (state.cpuFree(node) / BestFitPolicy.MAX_CPU_MILLI) * (pod.cpuMilli() / BestFitPolicy.MAX_CPU_MILLI)
                + (state.freeGpuMilli(node) / BestFitPolicy.MAX_GPU_MILLI) * (pod.totalGpuMilli() / BestFitPolicy.MAX_GPU_MILLI);
        return (int) (100 * (1 - dot / 2));
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        return GpuPicks.tightest(state, pod, node);
    }
}
