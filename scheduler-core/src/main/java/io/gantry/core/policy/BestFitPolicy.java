package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * Best fit: the node left with the least CPU and GPU after placement, each weighted one half and
 * measured against the largest node shape of the paper's cluster (128 cores, 8 GPUs), so the score is
 * {@code trunc(100 * (1 - (0.5 * cpuLeft / 128 cores + 0.5 * gpuMilliLeft / 8000)))}, then min-max
 * normalised to 0..100 over the feasible nodes of the decision. Shares go to the tightest GPU.
 */
final class BestFitPolicy implements PlacementPolicy {
    static final double MAX_CPU_MILLI = 128_000;
    static final double MAX_GPU_MILLI = 8_000;

    @Override
    public String name() {
        return "bestfit";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        double cpuLeft = state.cpuFree(node) - pod.cpuMilli();
        double gpuLeft = state.freeGpuMilli(node) - pod.totalGpuMilli();
        return (int) (100 * (1 - (0.5 * cpuLeft / MAX_CPU_MILLI + 0.5 * gpuLeft / MAX_GPU_MILLI)));
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
