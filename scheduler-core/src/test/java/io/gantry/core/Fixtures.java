package io.gantry.core;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.state.ClusterState;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Small builders shared by the core's tests: nodes and pods in round numbers, and a state snapshot. */
public final class Fixtures {
    public static final long GIB = 1L << 30;

    private Fixtures() {
    }

    /** A schedulable node with {@code cores} cores, 256 GiB and {@code gpus} GPUs of {@code model}. */
    public static NodeSpec node(String name, int cores, int gpus, String model) {
        return NodeSpec.of(name, cores * 1000L, 256 * GIB, gpus, gpus > 0 ? model : "");
    }

    public static PodSpec pod(long id, ResourceRequest request, String... models) {
        return PodSpec.of(id, "pod-" + id, request, Set.of(models));
    }

    /** A pod asking a share of {@code milli} of one GPU and {@code cpuMilli} CPU, no memory. */
    public static PodSpec share(long id, long cpuMilli, int milli, String... models) {
        return pod(id, ResourceRequest.gpuShare(cpuMilli, 0, milli), models);
    }

    /** A pod asking {@code gpus} whole GPUs and {@code cpuMilli} CPU, no memory. */
    public static PodSpec whole(long id, long cpuMilli, int gpus, String... models) {
        return pod(id, ResourceRequest.wholeGpus(cpuMilli, 0, gpus), models);
    }

    public static PodSpec cpuOnly(long id, long cpuMilli) {
        return pod(id, ResourceRequest.cpuOnly(cpuMilli, 0));
    }

    public static int mask(int... gpus) {
        int mask = 0;
        for (int g : gpus) {
            mask |= 1 << g;
        }
        return mask;
    }

    /** Assumes {@code pod} on {@code node} on the GPUs listed. */
    public static void hold(ClusterState state, PodSpec pod, int node, int... gpus) {
        state.assume(state.prepare(pod), node, mask(gpus));
    }

    /** Everything observable about every live node, one line each, for before/after comparisons. */
    public static List<String> snapshot(ClusterState state) {
        List<String> lines = new ArrayList<>();
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (!state.isLive(node)) {
                continue;
            }
            StringBuilder gpus = new StringBuilder();
            for (int g = 0; g < state.gpuCount(node); g++) {
                gpus.append(g == 0 ? "" : ",").append(state.gpuFree(node, g));
            }
            lines.add(node + " " + state.nodeName(node) + " cpu=" + state.cpuFree(node) + "/" + state.cpuCapacity(node)
                    + " mem=" + state.memoryFree(node) + "/" + state.memoryCapacity(node)
                    + " gpus=[" + gpus + "] whole=" + state.freeWholeGpus(node) + " largest=" + state.largestFreeShare(node)
                    + " pods=" + state.podsOnNode(node) + " classes=" + state.gpuClassMask(node) + " v=" + state.version(node));
        }
        lines.add("placed=" + state.placedPods() + " allocated=" + state.gpuAllocatedMilli() + " capacity=" + state.gpuCapacityMilli()
                + " gpus=" + state.totalGpus() + " nodes=" + state.nodeCount());
        return lines;
    }
}
