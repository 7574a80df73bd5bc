package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

import java.util.SplittableRandom;

/** GPU choices shared by several policies. Each returns a GPU bit mask and allocates nothing. */
final class GpuPicks {
    private static final int MILLI = 1000;

    private GpuPicks() {
    }

    /** The usual choice: a share goes to the tightest-fitting GPU, whole GPUs to the lowest free indexes. */
    static int tightest(ClusterState state, PlacementRequest pod, int node) {
        if (pod.gpus() > 0) {
            return lowestFree(state, node, pod.gpus());
        }
        if (pod.gpuMilli() > 0) {
            return 1 << tightestShare(state, node, pod.gpuMilli());
        }
        return 0;
    }

    /** The {@code n} lowest-index fully free GPUs. */
    static int lowestFree(ClusterState state, int node, int n) {
        int mask = 0;
        int taken = 0;
        for (int g = 0, count = state.gpuCount(node); g < count && taken < n; g++) {
            if (state.gpuFree(node, g) == MILLI) {
                mask |= 1 << g;
                taken++;
            }
        }
        return mask;
    }

    /** GPU with the least free milli that still holds {@code milli}, lowest index on ties. */
    static int tightestShare(ClusterState state, int node, int milli) {
        int best = -1;
        int bestFree = Integer.MAX_VALUE;
        for (int g = 0, count = state.gpuCount(node); g < count; g++) {
            int free = state.gpuFree(node, g);
            if (free >= milli && free < bestFree) {
                best = g;
                bestFree = free;
            }
        }
        return best;
    }

    /** GPU with the most free milli that holds {@code milli}, lowest index on ties. */
    static int emptiestShare(ClusterState state, int node, int milli) {
        int best = -1;
        int bestFree = -1;
        for (int g = 0, count = state.gpuCount(node); g < count; g++) {
            int free = state.gpuFree(node, g);
            if (free >= milli && free > bestFree) {
                best = g;
                bestFree = free;
            }
        }
        return best;
    }

    /**
     * A uniformly random fitting GPU for a share; whole GPUs still take the lowest free indexes, since
     * fully free GPUs are alike (and the paper's random baseline does the same).
     */
    static int random(ClusterState state, PlacementRequest pod, int node, SplittableRandom random) {
        if (pod.gpus() > 0) {
            return lowestFree(state, node, pod.gpus());
        }
        if (pod.gpuMilli() == 0) {
            return 0;
        }
        int chosen = -1;
        int seen = 0;
        for (int g = 0, count = state.gpuCount(node); g < count; g++) {
            if (state.gpuFree(node, g) >= pod.gpuMilli() && random.nextInt(++seen) == 0) {
                chosen = g; // reservoir sampling: uniform over the fitting GPUs
            }
        }
        return 1 << chosen;
    }
}
