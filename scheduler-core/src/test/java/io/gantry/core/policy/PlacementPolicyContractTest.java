package io.gantry.core.policy;

import static io.gantry.core.Fixtures.GIB;
import static io.gantry.core.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The contract every policy in {@link Policies#ALL} must keep (in the style of JCTools' QueueSanityTest:
 * one test, run for every implementation). On random small clusters and pods: a placement always fits
 * and assumes cleanly, takes the right GPUs, deciding changes nothing, a pod is refused only when no
 * node fits, and (for all but the random policy) the chosen node has the top score.
 */
class PlacementPolicyContractTest {
    private static final String[] MODELS = {"A100", "V100", "T4"};

    static final TaskShapeDistribution SHAPES = TaskShapeDistribution.of(Map.of(
            new TaskShape(2_000, 0, 0, Set.of()), 0.2,
            new TaskShape(4_000, 0, 250, Set.of()), 0.3,
            new TaskShape(8_000, 0, 500, Set.of("T4")), 0.1,
            new TaskShape(8_000, 1, 0, Set.of()), 0.25,
            new TaskShape(32_000, 4, 0, Set.of("A100", "V100")), 0.15));

    static PodSpec randomPod(SplittableRandom r, long id) {
        long cpu = r.nextInt(9) * 1_000L;
        long memory = r.nextInt(17) * GIB;
        Set<String> models = switch (r.nextInt(4)) {
            case 0 -> Set.of(MODELS[r.nextInt(3)]);
            case 1 -> Set.of(MODELS[0], MODELS[2]);
            default -> Set.of();
        };
        ResourceRequest request = switch (r.nextInt(5)) {
            case 0 -> ResourceRequest.cpuOnly(cpu, memory);
            case 1, 2 -> ResourceRequest.gpuShare(cpu, memory, 1 + r.nextInt(999));
            case 3 -> ResourceRequest.wholeGpus(cpu, memory, 1);
            default -> ResourceRequest.wholeGpus(cpu, memory, 1 + r.nextInt(8));
        };
        return PodSpec.of(id, "pod-" + id, request, models);
    }

    static ClusterState randomCluster(SplittableRandom r, int nodes) {
        ClusterState state = new ClusterState(4);
        for (int i = 0; i < nodes; i++) {
            int gpus = r.nextInt(9);
            NodeSpec spec = NodeSpec.of("n" + i, (8 + r.nextInt(57)) * 1_000L, (16 + r.nextInt(241)) * GIB, gpus,
                    gpus > 0 ? MODELS[r.nextInt(3)] : "");
            state.addNode(r.nextInt(10) == 0 ? spec.withSchedulable(false) : spec);
        }
        return state;
    }

    @ParameterizedTest
    @FieldSource("io.gantry.core.policy.Policies#ALL")
    void everyPlacementFitsAndTakesTheRightGpus(String name) {
        int placedCount = 0;
        int refusedCount = 0;
        for (long seed = 0; seed < 40; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            ClusterState state = randomCluster(r, 2 + r.nextInt(4));
            PlacementPolicy policy = Policies.create(name, new PolicyContext(seed, SHAPES));
            PodPlacer placer = new PodPlacer(state, policy, TieBreak.fixedRank(seed));
            List<Long> placed = new ArrayList<>();
            for (long id = 1; id <= 60; id++) {
                if (!placed.isEmpty() && r.nextInt(4) == 0) {
                    state.release(placed.remove(r.nextInt(placed.size())));
                }
                PlacementRequest pod = state.prepare(randomPod(r, id));
                List<String> before = snapshot(state);
                PlacementResult result = placer.decide(pod);
                assertThat(snapshot(state)).as("deciding changes nothing").isEqualTo(before);
                if (!result.isPlaced()) {
                    refusedCount++;
                    for (int node = 0; node < state.nodeSlots(); node++) {
                        assertThat(state.fits(pod, node)).as("%s refused %s but %s fits", name, pod, state.nodeName(node)).isFalse();
                    }
                    continue;
                }
                placedCount++;
                int node = result.node();
                int mask = result.gpuMask();
                assertThat(state.fits(pod, node)).isTrue();
                checkGpus(state, pod, node, mask);
                if (!name.equals("random")) {
                    assertThat(result.score()).as("%s chose a node without the top score", name).isEqualTo(topScore(state, policy, pod));
                }
                state.assume(pod, node, mask);
                state.verify();
                placed.add(pod.id());
            }
        }
        assertThat(placedCount).as("the random workloads place many pods").isGreaterThan(500);
        assertThat(refusedCount).as("and refuse some").isGreaterThan(50);
    }

    private static void checkGpus(ClusterState state, PlacementRequest pod, int node, int mask) {
        int gpus = state.gpuCount(node);
        assertThat(mask >>> gpus).as("GPUs beyond the node's %d", gpus).isZero();
        if (pod.gpus() > 0) {
            assertThat(Integer.bitCount(mask)).isEqualTo(pod.gpus());
            for (int bits = mask; bits != 0; bits &= bits - 1) {
                assertThat(state.gpuFree(node, Integer.numberOfTrailingZeros(bits))).as("whole GPUs must be fully free").isEqualTo(1000);
            }
        } else if (pod.gpuMilli() > 0) {
            assertThat(Integer.bitCount(mask)).isEqualTo(1);
            assertThat(state.gpuFree(node, Integer.numberOfTrailingZeros(mask))).isGreaterThanOrEqualTo(pod.gpuMilli());
        } else {
            assertThat(mask).isZero();
        }
    }

    private static int topScore(ClusterState state, PlacementPolicy policy, PlacementRequest pod) {
        int[] scores = new int[state.nodeSlots()];
        int count = 0;
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (state.isLive(node) && state.fits(pod, node)) {
                scores[count++] = policy.score(state, pod, node);
            }
        }
        int top = Integer.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            top = Math.max(top, scores[i]);
        }
        // the normalize contract: the raw maxima are exactly the normalised maxima
        int[] normalized = java.util.Arrays.copyOf(scores, count);
        policy.normalize(normalized, count);
        int normalizedTop = Integer.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            normalizedTop = Math.max(normalizedTop, normalized[i]);
        }
        for (int i = 0; i < count; i++) {
            assertThat(normalized[i] == normalizedTop).as("%s: normalising changed which nodes score top", policy.name())
                    .isEqualTo(scores[i] == top);
        }
        return top;
    }
}
