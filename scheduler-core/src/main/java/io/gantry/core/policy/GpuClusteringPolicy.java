package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * GPU clustering (the FGD paper's baseline): keep pods of one GPU class together (a share of one GPU,
 * 1 GPU, 2 GPUs, ...). Bands by the classes the node hosts: only the pod's class 75, the pod's class
 * among others 50, no GPU pods 25, only other classes 0; plus, within a band,
 * {@code floor(25 * (8000 - free GPU milli) / 8000)} so the fuller node wins. CPU-only pods score 0.
 * Shares go to the tightest GPU, whole GPUs to the lowest free indexes.
 */
final class GpuClusteringPolicy implements PlacementPolicy {

    @Override
    public String name() {
        return "gpuclustering";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        if (!pod.asksGpu()) {
            return 0;
        }
        long used = (long) BestFitPolicy.MAX_GPU_MILLI - state.freeGpuMilli(node);
        int base = (int) Math.floorDiv(25 * used, (long) BestFitPolicy.MAX_GPU_MILLI);
        int hosted = state.gpuClassMask(node);
        int own = 1 << pod.gpus(); // share = class 0, k whole GPUs = class k
        if (hosted == own) {
            return base + 75;
        }
        if ((hosted & own) != 0) {
            return base + 50;
        }
        if (hosted == 0) {
            return base + 25;
        }
        return base;
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        return GpuPicks.tightest(state, pod, node);
    }
}
