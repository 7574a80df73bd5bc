package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * GPU packing (the FGD paper's baseline): prefer GPUs already partly used, then nodes already in use,
 * then idle nodes, so idle nodes stay whole for large requests. Three integer bands, as the paper's
 * artifact scores them:
 * <ul>
 *   <li>idle node (every GPU fully free): {@code 33 - G} for a node of G GPUs, so smaller idle nodes go first;</li>
 *   <li>used node, but the pod's GPUs would be fresh ones: {@code max(50 - k, 33)}, k = fresh GPUs taken;</li>
 *   <li>the pod fits on partly used GPUs: {@code max(100 - (sum of free/100 over the GPUs taken)/10, 50)},
 *       for a share {@code 100 - free/100}, so the fuller GPU wins.</li>
 * </ul>
 * GPUs are taken in ascending free milli (lowest index on ties), the same as the tightest-fit choice.
 * CPU-only pods score 0 everywhere.
 */
final class GpuPackingPolicy implements PlacementPolicy {
    private static final int MILLI = 1000;

    @Override
    public String name() {
        return "gpupacking";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        if (!pod.asksGpu()) {
            return 0;
        }
        int gpus = state.gpuCount(node);
        if (state.freeWholeGpus(node) == gpus) {
            return Math.max(100 / 3 - gpus, gpus);
        }
        if (pod.gpus() > 0) {
            // whole GPUs only fit on fully free ones, so every GPU taken is fresh
            return Math.max(50 - pod.gpus(), 33);
        }
        int gpu = GpuPicks.tightestShare(state, node, pod.gpuMilli());
        int free = state.gpuFree(node, gpu);
        if (free == MILLI) {
            return Math.max(50 - 1, 33);
        }
        return Math.max(100 - (free * 100 / MILLI) / 10, 50);
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        return GpuPicks.tightest(state, pod, node);
    }
}
