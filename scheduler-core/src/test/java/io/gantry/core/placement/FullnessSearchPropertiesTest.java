package io.gantry.core.placement;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Best fit's fullness-ordered search (node classes from the fullest, stopping early) chooses exactly
 * what scoring every node would: the highest score, then the lowest rank. The search serves the pod
 * shapes beyond the cap of best fit's score order, so the test first fills the order with other shapes.
 */
class FullnessSearchPropertiesTest {
    private static final List<String> MODELS = List.of("A100", "V100", "T4");
    /** As many CPU-only shapes (1..128 milli, unlike the test's pods) as best fit's score order keeps. */
    private static final int FILLER_SHAPES = 128;

    @Property(tries = 300)
    void sameChoiceAsAFullScan(@ForAll long seed, @ForAll @IntRange(min = 1, max = 60) int nodes,
                               @ForAll @IntRange(min = 0, max = 300) int fill) {
        SplittableRandom random = new SplittableRandom(seed);
        ClusterState state = new ClusterState(nodes, seed);
        for (int n = 0; n < nodes; n++) {
            int gpus = List.of(0, 1, 2, 4, 8).get(random.nextInt(5));
            state.addNode(NodeSpec.of("n" + n, (16 + random.nextInt(112)) * 1000L, 512L << 30, gpus,
                    gpus == 0 ? "" : MODELS.get(random.nextInt(MODELS.size()))));
        }
        PlacementPolicy policy = Policies.create("bestfit", PolicyContext.of(seed));
        TieBreak tieBreak = TieBreak.fixedRank(seed);
        PodPlacer placer = new PodPlacer(state, policy, tieBreak);
        long id = 0;
        for (int shape = 1; shape <= FILLER_SHAPES; shape++) {
            placer.decide(state.prepare(PodSpec.of(id++, "filler" + shape, ResourceRequest.cpuOnly(shape, 1), Set.of())));
        }
        for (int i = 0; i < fill; i++) {
            placer.place(state.prepare(randomPod(random, id++)));
        }
        for (int i = 0; i < 40; i++) {
            PlacementRequest pod = state.prepare(randomPod(random, id++));
            PlacementResult result = placer.decide(pod);
            int expected = fullScan(state, policy, tieBreak, pod);
            assertThat(result.isPlaced() ? result.node() : -1).as("pod %s", pod).isEqualTo(expected);
            if (result.isPlaced() && random.nextBoolean()) {
                state.assume(pod, result.node(), result.gpuMask());
            }
        }
        state.verify();
    }

    private static PodSpec randomPod(SplittableRandom random, long id) {
        long cpu = (1 + random.nextInt(32)) * 1000L;
        ResourceRequest request = switch (random.nextInt(4)) {
            case 0 -> ResourceRequest.cpuOnly(cpu, 1L << 30);
            case 1 -> ResourceRequest.gpuShare(cpu, 1L << 30, 100 * (1 + random.nextInt(9)));
            default -> ResourceRequest.wholeGpus(cpu, 1L << 30, List.of(1, 1, 2, 4, 8).get(random.nextInt(5)));
        };
        Set<String> models = random.nextInt(4) == 0 ? Set.of(MODELS.get(random.nextInt(MODELS.size()))) : Set.of();
        return PodSpec.of(id, "p" + id, request, models);
    }

    /** Every live node: the highest raw score, then the lowest rank; -1 when none fits. */
    private static int fullScan(ClusterState state, PlacementPolicy policy, TieBreak tieBreak, PlacementRequest pod) {
        int best = -1;
        int bestScore = Integer.MIN_VALUE;
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (!state.isLive(node) || !state.fits(pod, node)) {
                continue;
            }
            int score = policy.score(state, pod, node);
            if (best < 0 || score > bestScore
                    || (score == bestScore && Long.compareUnsigned(tieBreak.rankOf(node), tieBreak.rankOf(best)) < 0)) {
                best = node;
                bestScore = score;
            }
        }
        return best;
    }
}
