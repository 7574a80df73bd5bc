package io.gantry.core.placement;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once every pod shape has its score order, deciding, assuming and releasing allocate nothing: the
 * orders only grow when a shape first gets one or the node table grows. Measured with the JVM's
 * per-thread allocation counter (a count of bytes, not a timing) over a churn of placements and
 * releases that keeps changing the scores; skipped when the JVM cannot count allocations.
 */
class ScoreOrderAllocationTest {
    private static final int NODES = 300;
    private static final int PER_SHAPE = 40;
    private static final int KEPT = 150;
    private static final int ROUNDS = 4_000;

    @ParameterizedTest
    @ValueSource(strings = {"bestfit", "fgd", "spread"})
    void steadyDecisionsAllocateNothing(String policyName) {
        SplittableRandom random = new SplittableRandom(7);
        ClusterState state = new ClusterState(NODES, 7);
        for (int n = 0; n < NODES; n++) {
            int gpus = n % 5 == 0 ? 4 : 8;
            state.addNode(NodeSpec.of("n" + n, (64 + random.nextInt(64)) * 1000L, 1024L << 30, gpus, n % 3 == 0 ? "T4" : "A100"));
        }
        List<ResourceRequest> menu = List.of(
                ResourceRequest.gpuShare(2_000, 8L << 30, 250),
                ResourceRequest.gpuShare(4_000, 16L << 30, 500),
                ResourceRequest.wholeGpus(8_000, 64L << 30, 1),
                ResourceRequest.wholeGpus(16_000, 128L << 30, 2),
                ResourceRequest.cpuOnly(4_000, 8L << 30));
        List<TaskShape> shapes = new ArrayList<>();
        PlacementRequest[] pods = new PlacementRequest[menu.size() * PER_SHAPE];
        for (int i = 0; i < pods.length; i++) {
            ResourceRequest request = menu.get(i % menu.size());
            pods[i] = state.prepare(PodSpec.of(i, "p" + i, request, Set.of()));
            shapes.add(TaskShape.of(request, Set.of()));
        }
        PodPlacer placer = new PodPlacer(state, Policies.create(policyName,
                new PolicyContext(7, TaskShapeDistribution.typical(shapes, 0.95))), TieBreak.fixedRank(7));
        long[] placedIds = new long[pods.length];
        int[] cursor = new int[3]; // next pod, placed count, oldest placed
        churn(state, placer, pods, placedIds, cursor, ROUNDS); // every shape gets its order, arrays reach their size
        Assumptions.assumeTrue(allocatedBytes() >= 0, "skipping: this JVM does not count thread allocations");
        long before = allocatedBytes(); // read twice: the counter's first use allocates
        churn(state, placer, pods, placedIds, cursor, ROUNDS);
        long allocated = allocatedBytes() - before;
        state.verify();
        // a per-decision allocation of even one 16-byte object would show as 64 kB over these rounds
        assertThat(allocated).as("%s: bytes allocated over %d decisions", policyName, ROUNDS).isLessThan(4096);
    }

    /** Places pods round-robin over the menu, releasing the oldest placed once {@link #KEPT} are placed. */
    private static void churn(ClusterState state, PodPlacer placer, PlacementRequest[] pods, long[] placedIds, int[] cursor, int rounds) {
        for (int round = 0; round < rounds; round++) {
            PlacementRequest pod = pods[cursor[0]];
            cursor[0] = (cursor[0] + 1) % pods.length;
            if (state.isPlaced(pod.id())) {
                continue;
            }
            if (placer.place(pod).isPlaced()) {
                placedIds[(cursor[2] + cursor[1]) % placedIds.length] = pod.id();
                cursor[1]++;
            }
            if (cursor[1] > KEPT) {
                state.release(placedIds[cursor[2]]);
                cursor[2] = (cursor[2] + 1) % placedIds.length;
                cursor[1]--;
            }
        }
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return -1;
    }
}
