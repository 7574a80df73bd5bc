package io.gantry.core.placement;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The score orders of FGD, spread and best fit (per pod shape, nodes by score then rank, caught up from the state's change log)
 * chooses exactly what scoring every node with a fresh policy would: the highest score, then the lowest
 * rank, among the nodes that fit and the filter allows. The cluster changes between decisions by
 * placements, releases, cordons, node removals and additions (reusing ids), and by bursts of other
 * work long enough that the order falls behind the change log and must rescan.
 */
class ScoreOrderPropertiesTest {
    private static final List<String> MODELS = List.of("A100", "V100", "T4");
    private static final int STEPS = 60;
    private static final int MENU = 6;

    @Provide
    Arbitrary<String> orderedPolicies() {
        return Arbitraries.of("fgd", "spread", "bestfit");
    }

    @Property(tries = 300)
    void sameChoiceAsAFullScan(@ForAll("orderedPolicies") String name, @ForAll long seed, @ForAll @IntRange(min = 1, max = 50) int nodes,
                               @ForAll @IntRange(min = 0, max = 250) int fill,
                               @ForAll @IntRange(min = 0, max = 1500) int churn) {
        SplittableRandom random = new SplittableRandom(seed);
        ClusterState state = new ClusterState(nodes, seed);
        List<NodeSpec> specs = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            specs.add(randomNode(random, "n" + n));
            state.addNode(specs.get(n));
        }
        // a few shapes that come back, as in production, so that each gets its score order
        List<PodSpec> menu = new ArrayList<>();
        List<TaskShape> typical = new ArrayList<>();
        for (int i = 0; i < MENU; i++) {
            PodSpec pod = randomPod(random, 0);
            menu.add(pod);
            typical.add(TaskShape.of(pod.request(), pod.gpuModels()));
        }
        PolicyContext context = new PolicyContext(seed, TaskShapeDistribution.typical(typical, 0.95));
        PlacementPolicy policy = Policies.create(name, context);
        TieBreak tieBreak = TieBreak.fixedRank(seed);
        PodPlacer placer = new PodPlacer(state, policy, tieBreak);
        List<Long> placed = new ArrayList<>();
        long id = 0;
        for (int i = 0; i < fill; i++) {
            PlacementResult result = placer.place(state.prepare(fromMenu(menu, random, id)));
            if (result.isPlaced()) {
                placed.add(id);
            }
            id++;
        }
        int names = nodes;
        for (int step = 0; step < STEPS; step++) {
            PlacementRequest pod = state.prepare(fromMenu(menu, random, id++));
            NodeFilter filter = randomFilter(random, state.nodeSlots());
            PlacementResult result = placer.decide(pod, filter);
            int expected = fullScan(state, Policies.create(name, context), tieBreak, pod, filter);
            assertThat(result.isPlaced() ? result.node() : -1).as("step %d, pod %s", step, pod).isEqualTo(expected);
            if (result.isPlaced()) {
                assertThat(result.gpuMask()).as("GPUs of pod %s", pod)
                        .isEqualTo(Policies.create(name, context).chooseGpus(state, pod, result.node()));
                if (random.nextBoolean()) {
                    state.assume(pod, result.node(), result.gpuMask());
                    placed.add(pod.id());
                }
            }
            switch (random.nextInt(6)) {
                case 0 -> {
                    if (!placed.isEmpty()) {
                        state.release(placed.remove(random.nextInt(placed.size())));
                    }
                }
                case 1 -> {
                    int node = random.nextInt(state.nodeSlots());
                    if (state.isLive(node)) {
                        state.updateNode(node, state.node(node).withSchedulable(!state.node(node).schedulable()));
                    }
                }
                case 2 -> {
                    int node = random.nextInt(state.nodeSlots());
                    if (state.isLive(node) && state.podsOnNode(node) == 0 && state.nodeCount() > 1) {
                        state.removeNode(node);
                    }
                }
                case 3 -> state.addNode(randomNode(random, "n" + names++));
                case 4 -> {
                    // other work long enough for the probe shapes to fall behind the change log
                    int burst = random.nextInt(churn + 1);
                    for (int i = 0; i < burst; i++) {
                        PlacementResult other = placer.place(state.prepare(PodSpec.of(id, "c" + id, ResourceRequest.cpuOnly(1000, 1L << 30), Set.of())));
                        if (other.isPlaced()) {
                            state.release(id);
                        }
                        id++;
                    }
                }
                default -> {
                }
            }
        }
        state.verify();
    }

    /** Mostly a pod of the menu, now and then a one-off shape. */
    private static PodSpec fromMenu(List<PodSpec> menu, SplittableRandom random, long id) {
        if (random.nextInt(8) == 0) {
            return randomPod(random, id);
        }
        PodSpec template = menu.get(random.nextInt(menu.size()));
        return PodSpec.of(id, "p" + id, template.request(), template.gpuModels());
    }

    private static NodeSpec randomNode(SplittableRandom random, String name) {
        // up to 16 GPUs and 256 cores: beyond best fit's reference node, so its scores leave 0..100
        int gpus = List.of(0, 1, 2, 4, 8, 8, 16).get(random.nextInt(7));
        // some nodes with little memory, so that nodes the GPUs and CPU could take are still refused
        long memory = random.nextInt(4) == 0 ? 4L << 30 : 512L << 30;
        return NodeSpec.of(name, (16 + random.nextInt(240)) * 1000L, memory, gpus,
                gpus == 0 ? "" : MODELS.get(random.nextInt(MODELS.size())));
    }

    private static PodSpec randomPod(SplittableRandom random, long id) {
        long cpu = (1 + random.nextInt(16)) * 1000L;
        long memory = (1L + random.nextInt(8)) << 30;
        ResourceRequest request = switch (random.nextInt(5)) {
            case 0 -> ResourceRequest.cpuOnly(cpu, memory);
            case 1, 2 -> ResourceRequest.gpuShare(cpu, memory, 100 * (1 + random.nextInt(9)));
            default -> ResourceRequest.wholeGpus(cpu, memory, List.of(1, 1, 2, 4, 8).get(random.nextInt(5)));
        };
        Set<String> models = random.nextInt(4) == 0 ? Set.of(MODELS.get(random.nextInt(MODELS.size()))) : Set.of();
        return PodSpec.of(id, "p" + id, request, models);
    }

    /** No filter half of the time, else one that rules out a random share of the nodes. */
    private static NodeFilter randomFilter(SplittableRandom random, int slots) {
        if (random.nextBoolean()) {
            return NodeFilter.ALL;
        }
        BitSet reserved = new BitSet(slots);
        double share = random.nextDouble();
        for (int node = 0; node < slots; node++) {
            if (random.nextDouble() < share) {
                reserved.set(node);
            }
        }
        return node -> reserved.get(node) ? UnfitCause.RESERVED : null;
    }

    /** Every live node the filter allows: the highest score of a fresh policy, then the lowest rank; -1 when none fits. */
    private static int fullScan(ClusterState state, PlacementPolicy fresh, TieBreak tieBreak, PlacementRequest pod, NodeFilter filter) {
        int best = -1;
        int bestScore = Integer.MIN_VALUE;
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (!state.isLive(node) || !state.fits(pod, node) || filter.rejects(node) != null) {
                continue;
            }
            int score = fresh.score(state, pod, node);
            if (best < 0 || score > bestScore
                    || (score == bestScore && Long.compareUnsigned(tieBreak.rankOf(node), tieBreak.rankOf(best)) < 0)) {
                best = node;
                bestScore = score;
            }
        }
        return best;
    }
}
