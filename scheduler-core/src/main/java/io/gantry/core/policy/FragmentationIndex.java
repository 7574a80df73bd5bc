package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.GpuModelRegistry;

import java.util.Arrays;
import java.util.List;

/**
 * GPU fragmentation as the FGD paper measures it, for one cluster state and one distribution of task
 * shapes, with each node's value cached by node version.
 *
 * <p>A node's fragmentation F, in milli-GPU, sums over the typical tasks t with weight w: {@code w * U}
 * (U = the node's free GPU milli) when t asks no GPU, when t does not accept the node's GPU model, or
 * when the node cannot host t (less free CPU than t asks, no GPU with t's share left, fewer fully free
 * GPUs than t's whole GPUs); otherwise {@code w *} the free milli of the GPUs with less left than t
 * needs on one GPU. Memory is not considered. The cluster's fragmentation is the sum over nodes.
 *
 * <p>O(T * G) to compute a node (T shapes, G GPUs), O(1) to read a cached one. Allocates nothing after
 * its arrays have grown to the cluster's size. Bound to the first state it is used with.
 */
public final class FragmentationIndex {
    private static final int MILLI = 1000;

    private final ClusterState state;
    private final int shapeCount;
    private final long[] shapeCpu;
    private final int[] shapeGpus;
    private final int[] shapeMilli;
    private final long[] shapeMask;
    private final double[] shapeWeight;
    private final int[] scratch = new int[ClusterState.MAX_GPUS];

    private double[] nodeFrag = new double[0];
    private long[] nodeFragVersion = new long[0];

    public FragmentationIndex(ClusterState state, TaskShapeDistribution distribution) {
        this.state = state;
        List<TaskShape> shapes = distribution.shapes();
        shapeCount = shapes.size();
        shapeCpu = new long[shapeCount];
        shapeGpus = new int[shapeCount];
        shapeMilli = new int[shapeCount];
        shapeMask = new long[shapeCount];
        shapeWeight = new double[shapeCount];
        for (int t = 0; t < shapeCount; t++) {
            TaskShape shape = shapes.get(t);
            shapeCpu[t] = shape.cpuMilli();
            shapeGpus[t] = shape.gpus();
            shapeMilli[t] = shape.gpuMilli();
            shapeMask[t] = state.models().maskOf(shape.gpuModels());
            shapeWeight[t] = distribution.weight(t);
        }
    }

    public ClusterState state() {
        return state;
    }

    /** F of {@code node} as it is now. */
    public double of(int node) {
        if (nodeFrag.length < state.nodeSlots()) {
            int size = Math.max(state.nodeSlots(), nodeFrag.length * 2);
            int old = nodeFrag.length;
            nodeFrag = Arrays.copyOf(nodeFrag, size);
            nodeFragVersion = Arrays.copyOf(nodeFragVersion, size);
            Arrays.fill(nodeFragVersion, old, size, -1);
        }
        long version = state.version(node);
        if (nodeFragVersion[node] != version) {
            int gpus = state.gpuCount(node);
            for (int g = 0; g < gpus; g++) {
                scratch[g] = state.gpuFree(node, g);
            }
            nodeFrag[node] = compute(state.gpuModelId(node), state.cpuFree(node), scratch, gpus);
            nodeFragVersion[node] = version;
        }
        return nodeFrag[node];
    }

    /** F summed over every live node. O(nodes) reads, plus recomputing nodes changed since last asked. */
    public double ofCluster() {
        double sum = 0;
        for (int node = 0, slots = state.nodeSlots(); node < slots; node++) {
            if (state.isLive(node)) {
                sum += of(node);
            }
        }
        return sum;
    }

    /**
     * F of a hypothetical node of GPU model {@code model} with {@code cpuFree} and per-GPU free milli
     * {@code free[0..gpus)}; used to score a placement before making it.
     */
    public double compute(int model, long cpuFree, int[] free, int gpus) {
        long sumFree = 0;
        int largest = 0;
        int fullyFree = 0;
        for (int g = 0; g < gpus; g++) {
            sumFree += free[g];
            largest = Math.max(largest, free[g]);
            fullyFree += free[g] == MILLI ? 1 : 0;
        }
        if (sumFree == 0) {
            return 0;
        }
        double frag = 0;
        for (int t = 0; t < shapeCount; t++) {
            double w = shapeWeight[t];
            int wholeGpus = shapeGpus[t];
            int share = shapeMilli[t];
            boolean hostable = (wholeGpus > 0 || share > 0)
                    && GpuModelRegistry.accepts(shapeMask[t], model)
                    && shapeCpu[t] <= cpuFree
                    && (wholeGpus > 0 ? fullyFree >= wholeGpus : largest >= share);
            if (!hostable) {
                frag += w * sumFree;
                continue;
            }
            int needOnOneGpu = wholeGpus > 0 ? MILLI : share;
            long stranded = 0;
            for (int g = 0; g < gpus; g++) {
                if (free[g] < needOnOneGpu) {
                    stranded += free[g];
                }
            }
            frag += w * stranded;
        }
        return frag;
    }
}
