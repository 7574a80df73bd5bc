package io.gantry.simulator.inflation;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.policy.FragmentationIndex;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * One policy, one seed: submit the arrival sequence to an empty cluster one pod at a time; a pod that
 * does not fit is dropped for good. After every pod, record arrived demand, allocation and
 * fragmentation.
 */
public final class InflationRun {
    private final List<NodeSpec> nodes;
    private final List<PodSpec> arrivals;
    private final String policyName;
    private final long seed;
    private final TaskShapeDistribution typical;
    private final boolean checkInvariants;

    public InflationRun(List<NodeSpec> nodes, List<PodSpec> arrivals, String policyName, long seed,
                        TaskShapeDistribution typical, boolean checkInvariants) {
        this.nodes = nodes;
        this.arrivals = arrivals;
        this.policyName = policyName;
        this.seed = seed;
        this.typical = typical;
        this.checkInvariants = checkInvariants;
    }

    /**
     * Per-event series of one run; index i is the state after pod i. {@code secondHalfAllocatedBytes}
     * is what the event loop allocated over its second half, once every cache has grown (-1 when the JVM
     * cannot count a thread's allocations): the evidence that the loop allocates nothing per event.
     */
    public record Series(String policy, long seed, long capacityMilli, long[] arrivedMilli, long[] allocatedMilli,
                         double[] fragmentedMilli, int failedPods, double wallSeconds, long secondHalfAllocatedBytes) {
        public int events() {
            return arrivedMilli.length;
        }
    }

    public Series run() {
        long start = System.nanoTime();
        ClusterState state = new ClusterState(nodes.size(), seed);
        for (NodeSpec node : nodes) {
            state.addNode(node);
        }
        if (state.gpuCapacityMilli() == 0) {
            throw new IllegalArgumentException("the cluster has no GPUs: the inflation protocol measures GPU allocation");
        }
        int n = arrivals.size();
        PlacementRequest[] requests = new PlacementRequest[n];
        for (int i = 0; i < n; i++) {
            requests[i] = state.prepare(arrivals.get(i));
        }
        PlacementPolicy policy = Policies.create(policyName, new PolicyContext(seed, typical));
        PodPlacer placer = new PodPlacer(state, policy, TieBreak.fixedRank(seed));
        FragmentationIndex fragmentation = new FragmentationIndex(state, typical);

        long[] arrived = new long[n];
        long[] allocated = new long[n];
        double[] fragmented = new double[n];
        double clusterFragmentation = fragmentation.ofCluster();
        long arrivedMilli = 0;
        int failed = 0;
        long halfwayAllocated = -1;
        for (int i = 0; i < n; i++) {
            if (i == n / 2) {
                halfwayAllocated = allocatedBytes();
            }
            PlacementRequest pod = requests[i];
            arrivedMilli += pod.totalGpuMilli();
            PlacementResult result = placer.decide(pod);
            if (result.isPlaced()) {
                int node = result.node();
                double before = fragmentation.of(node);
                state.assume(pod, node, result.gpuMask());
                clusterFragmentation += fragmentation.of(node) - before;
            } else {
                failed++;
            }
            if (checkInvariants) {
                state.verify();
                double exact = fragmentation.ofCluster();
                if (Math.abs(exact - clusterFragmentation) > 1e-6 * Math.max(1, exact)) {
                    throw new IllegalStateException("incremental cluster fragmentation " + clusterFragmentation
                            + " drifted from the exact " + exact + " after pod " + pod.name());
                }
            }
            arrived[i] = arrivedMilli;
            allocated[i] = state.gpuAllocatedMilli();
            fragmented[i] = clusterFragmentation;
        }
        long endAllocated = allocatedBytes();
        long secondHalf = halfwayAllocated < 0 || endAllocated < 0 ? -1 : endAllocated - halfwayAllocated;
        return new Series(policyName, seed, state.gpuCapacityMilli(), arrived, allocated, fragmented, failed,
                (System.nanoTime() - start) / 1e9, secondHalf);
    }

    /** Bytes this thread has allocated so far, or -1 when the JVM does not say. */
    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }
}
