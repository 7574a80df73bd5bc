package io.gantry.core.agent;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SchedulerAgent#roomGainBound} is what gangs waiting for room count on: when a pod leaves a
 * node, the copies of any class the node holds never grow by more than the bound. Checked on nodes
 * filled at random with whole-GPU, shared-GPU and CPU-only pods, against every kind of class.
 */
class RoomGainBoundPropertiesTest {
    private static final long GIB = 1L << 30;
    private static final int[] SHARES = {100, 200, 250, 300, 400, 500, 700, 800};

    @Property(tries = 500)
    void aLeavingPodAddsNoMoreCopiesThanTheBound(@ForAll long seed, @ForAll @IntRange(min = 1, max = 40) int pods) {
        SplittableRandom random = new SplittableRandom(seed);
        ClusterState state = new ClusterState();
        int gpus = new int[] {0, 1, 2, 4, 8}[random.nextInt(5)];
        int node = state.addNode(NodeSpec.of("n", 1_000L * (8 + random.nextInt(120)), GIB * (16 + random.nextInt(512)), gpus,
                gpus == 0 ? "" : "A100"));
        List<PodSpec> placed = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            PodSpec pod = PodSpec.of(i, "p" + i, request(random, gpus), java.util.Set.of());
            PlacementRequest r = state.prepare(pod);
            if (!state.fits(r, node)) {
                continue;
            }
            state.assume(r, node, chooseGpus(state, r, node, gpus));
            placed.add(pod);
        }
        if (placed.isEmpty()) {
            return;
        }
        PodSpec leaving = placed.get(random.nextInt(placed.size()));
        PlacementRequest released = state.prepare(leaving);
        List<PlacementRequest> probes = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            probes.add(state.prepare(PodSpec.of(1000 + i, "probe" + i, request(random, Math.max(gpus, 1)), java.util.Set.of())));
        }
        int[] before = new int[probes.size()];
        for (int i = 0; i < probes.size(); i++) {
            before[i] = state.copiesThatFit(probes.get(i), node, Integer.MAX_VALUE);
        }
        state.release(leaving.id());
        for (int i = 0; i < probes.size(); i++) {
            PlacementRequest probe = probes.get(i);
            long after = state.copiesThatFit(probe, node, Integer.MAX_VALUE);
            assertThat(after - before[i]).as("copies of %s after %s left", probe.spec().request(), leaving.request())
                    .isLessThanOrEqualTo(SchedulerAgent.roomGainBound(probe, released));
        }
    }

    private static ResourceRequest request(SplittableRandom random, int maxGpus) {
        long cpu = 500L * random.nextInt(1, 33);
        long memory = random.nextInt(4) == 0 ? 0 : GIB * random.nextInt(1, 65);
        int kind = maxGpus == 0 ? 0 : random.nextInt(3);
        return switch (kind) {
            case 0 -> ResourceRequest.cpuOnly(cpu, memory);
            case 1 -> ResourceRequest.wholeGpus(cpu, memory, 1 + random.nextInt(maxGpus));
            default -> ResourceRequest.gpuShare(cpu, memory, SHARES[random.nextInt(SHARES.length)]);
        };
    }

    /** The first free GPUs that hold the pod: whole ones for whole GPUs, the first with room for a share. */
    private static int chooseGpus(ClusterState state, PlacementRequest pod, int node, int gpus) {
        int mask = 0;
        if (pod.gpus() > 0) {
            int need = pod.gpus();
            for (int g = 0; g < gpus && need > 0; g++) {
                if (state.gpuFree(node, g) == ResourceRequest.MILLI_PER_GPU) {
                    mask |= 1 << g;
                    need--;
                }
            }
        } else if (pod.gpuMilli() > 0) {
            for (int g = 0; g < gpus; g++) {
                if (state.gpuFree(node, g) >= pod.gpuMilli() && state.gpuFree(node, g) < ResourceRequest.MILLI_PER_GPU) {
                    return 1 << g;
                }
            }
            for (int g = 0; g < gpus; g++) {
                if (state.gpuFree(node, g) >= pod.gpuMilli()) {
                    return 1 << g;
                }
            }
        }
        return mask;
    }
}
