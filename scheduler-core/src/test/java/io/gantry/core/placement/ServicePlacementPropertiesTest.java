package io.gantry.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;
import io.gantry.core.model.Topology;
import io.gantry.core.model.WorkloadClass;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random inference replicas of a few services (per-node caps, DoNotSchedule and ScheduleAnyway spread
 * over nodes, zones and racks) mixed with training pods, on clusters of few node shapes (so node
 * classes are large and the fast paths are tempted): every decision of {@link PodPlacer} equals a
 * full scan (fit, filter and the service rules checked on every live node; least ScheduleAnyway
 * excess first; then the highest score and the lowest rank), and no placement ever breaks a cap or a
 * DoNotSchedule skew, counted by brute force from the placements themselves, not from the state's
 * counters.
 */
class ServicePlacementPropertiesTest {
    private static final List<String> ZONES = List.of("a", "b", "c", "");
    private static final int STEPS = 80;

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of("bestfit", "fgd", "spread", "dotprod", "gpupacking", "gpuclustering");
    }

    /** One placed pod, as the test itself remembers it. */
    private record Held(long id, int serviceIndex, int node) {
    }

    @Property(tries = 250)
    void sameChoiceAsAFullScanAndNoConstraintIsEverBroken(@ForAll("policies") String name, @ForAll long seed,
                                                           @ForAll @IntRange(min = 1, max = 40) int nodes) {
        SplittableRandom random = new SplittableRandom(seed);
        ClusterState state = new ClusterState(nodes, seed);
        List<NodeSpec> menu = List.of(
                NodeSpec.of("m0", 32_000, 256L << 30, 8, "A100"),
                NodeSpec.of("m1", 96_000, 512L << 30, 4, "T4"),
                NodeSpec.of("m2", 64_000, 256L << 30, 0, ""));
        for (int n = 0; n < nodes; n++) {
            NodeSpec shape = menu.get(random.nextInt(menu.size()));
            state.addNode(new NodeSpec("n" + n, shape.cpuMilli(), shape.memoryBytes(), shape.gpus(), shape.gpuModel(), 0, Map.of(),
                    new Topology(ZONES.get(random.nextInt(ZONES.size())), "r" + random.nextInt(3), ""), true, List.of()));
        }
        List<ServiceConstraints> services = randomServices(random);
        List<TaskShape> shapes = List.of(TaskShape.of(ResourceRequest.wholeGpus(4000, 16L << 30, 1), Set.of()),
                TaskShape.of(ResourceRequest.gpuShare(2000, 8L << 30, 500), Set.of()));
        PolicyContext context = new PolicyContext(seed, TaskShapeDistribution.typical(shapes, 0.95));
        TieBreak tieBreak = TieBreak.fixedRank(seed);
        PodPlacer placer = new PodPlacer(state, Policies.create(name, context), tieBreak);
        List<Held> held = new ArrayList<>();
        for (int step = 0; step < STEPS; step++) {
            int serviceIndex = random.nextInt(services.size() + 1) - 1; // -1: a training pod of no service
            ServiceConstraints service = serviceIndex < 0 ? ServiceConstraints.NONE : services.get(serviceIndex);
            PlacementRequest pod = state.prepare(randomPod(random, step, service));
            NodeFilter filter = randomFilter(random, state.nodeSlots());
            PlacementResult result = placer.decide(pod, filter);
            int expected = fullScan(state, Policies.create(name, context), tieBreak, pod, filter);
            assertThat(result.isPlaced() ? result.node() : -1).as("step %d, %s", step, pod.spec()).isEqualTo(expected);
            if (!result.isPlaced()) {
                assertThat(result.reason()).startsWith("0/");
            } else if (random.nextInt(4) != 0) {
                int node = result.node();
                if (serviceIndex >= 0) {
                    assertKeeps(state, service, serviceIndex, node, held);
                }
                state.assume(pod, node, result.gpuMask());
                held.add(new Held(pod.id(), serviceIndex, node));
            }
            if (!held.isEmpty() && random.nextInt(5) == 0) {
                state.release(held.remove(random.nextInt(held.size())).id());
            }
        }
        assertThat(state.serviceCapViolations()).isZero();
        state.verify();
    }

    /** Placing a replica of {@code service} on {@code node} keeps its cap and DoNotSchedule skews, counted from {@code held}. */
    private static void assertKeeps(ClusterState state, ServiceConstraints service, int serviceIndex, int node, List<Held> held) {
        if (service.maxPerNode() != ServiceConstraints.NO_CAP) {
            long there = held.stream().filter(h -> h.serviceIndex() == serviceIndex && h.node() == node).count();
            assertThat(there + 1).as("replicas of %s on node %s", service.service(), state.nodeName(node)).isLessThanOrEqualTo(service.maxPerNode());
        }
        for (SpreadConstraint c : service.spread()) {
            if (!c.hard()) {
                continue;
            }
            Map<String, Integer> perDomain = new HashMap<>();
            for (int n = 0; n < state.nodeSlots(); n++) {
                if (state.isLive(n) && !domainOf(state, n, c.level()).isEmpty()) {
                    perDomain.put(domainOf(state, n, c.level()), 0);
                }
            }
            for (Held h : held) {
                if (h.serviceIndex() == serviceIndex) {
                    perDomain.merge(domainOf(state, h.node(), c.level()), 1, Integer::sum);
                }
            }
            String target = domainOf(state, node, c.level());
            assertThat(target).as("a DoNotSchedule constraint never places on an unlabelled node").isNotEmpty();
            int fewest = perDomain.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            assertThat(perDomain.get(target) + 1 - fewest).as("skew of %s in %s %s", service.service(), c.level(), target)
                    .isLessThanOrEqualTo(c.maxSkew());
        }
    }

    private static String domainOf(ClusterState state, int node, SpreadLevel level) {
        return switch (level) {
            case NODE -> state.nodeName(node);
            case ZONE -> state.node(node).topology().zone();
            case RACK -> state.node(node).topology().rack();
        };
    }

    private static List<ServiceConstraints> randomServices(SplittableRandom random) {
        List<ServiceConstraints> services = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            ServiceConstraints c = ServiceConstraints.capped("svc" + s, random.nextInt(4)); // 0 = no cap
            for (SpreadLevel level : SpreadLevel.values()) {
                if (random.nextInt(3) == 0) {
                    c = c.withSpread(new SpreadConstraint(level, 1 + random.nextInt(2), random.nextBoolean()));
                }
            }
            services.add(c);
        }
        return services;
    }

    private static PodSpec randomPod(SplittableRandom random, long id, ServiceConstraints service) {
        ResourceRequest request = switch (random.nextInt(4)) {
            case 0 -> ResourceRequest.cpuOnly(4000, 16L << 30);
            case 1 -> ResourceRequest.gpuShare(2000, 8L << 30, 500);
            default -> ResourceRequest.wholeGpus(4000, 16L << 30, 1 + random.nextInt(2));
        };
        PodSpec pod = PodSpec.of(id, "p" + id, request, Set.of()).withService(service);
        return service.hasService() ? pod.withWorkloadClass(WorkloadClass.INFERENCE) : pod;
    }

    private static NodeFilter randomFilter(SplittableRandom random, int slots) {
        if (random.nextInt(3) != 0) {
            return NodeFilter.ALL;
        }
        BitSet reserved = new BitSet(slots);
        for (int node = 0; node < slots; node++) {
            if (random.nextInt(4) == 0) {
                reserved.set(node);
            }
        }
        return node -> reserved.get(node) ? UnfitCause.RESERVED : null;
    }

    /** Every live node: fit (with the service rules) and filter, least soft excess, highest score, lowest rank; -1 when none. */
    private static int fullScan(ClusterState state, PlacementPolicy fresh, TieBreak tieBreak, PlacementRequest pod, NodeFilter filter) {
        int best = -1;
        int bestExcess = Integer.MAX_VALUE;
        int bestScore = Integer.MIN_VALUE;
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (!state.isLive(node) || !state.fits(pod, node) || filter.rejects(node) != null) {
                continue;
            }
            int excess = state.softSpreadExcess(pod, node);
            int score = fresh.score(state, pod, node);
            boolean better = best < 0 || excess < bestExcess
                    || (excess == bestExcess && (score > bestScore
                    || (score == bestScore && Long.compareUnsigned(tieBreak.rankOf(node), tieBreak.rankOf(best)) < 0)));
            if (better) {
                best = node;
                bestExcess = excess;
                bestScore = score;
            }
        }
        return best;
    }
}
