package io.gantry.core;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for random clusters (1..30 nodes, 0..8 GPUs, three models) and random sequences of
 * pod arrivals and releases, with the odd node added or removed. Values are plain records so that a
 * failing case prints readably and shrinks.
 */
public final class Scenarios {
    public static final List<String> MODELS = List.of("A100", "V100", "T4");

    private Scenarios() {
    }

    public record NodeDraw(int cores, int memoryGib, int gpus, int model, boolean cordoned) {
        public NodeSpec toSpec(String name) {
            NodeSpec spec = NodeSpec.of(name, cores * 1000L, memoryGib * Fixtures.GIB, gpus, gpus > 0 ? MODELS.get(model) : "");
            return cordoned ? spec.withSchedulable(false) : spec;
        }
    }

    /** {@code models} is a bit set over {@link #MODELS}; 0 accepts any. */
    public record PodDraw(int cpuMilli, int memoryGib, int gpus, int milli, int models) {
        public PodSpec toSpec(long id) {
            Set<String> accepted = new HashSet<>();
            for (int m = 0; m < MODELS.size(); m++) {
                if ((models & (1 << m)) != 0) {
                    accepted.add(MODELS.get(m));
                }
            }
            return PodSpec.of(id, "pod-" + id, new ResourceRequest(cpuMilli, memoryGib * Fixtures.GIB, gpus, milli, 0), accepted);
        }
    }

    public sealed interface Step permits Arrive, Release, AddNode, RemoveNode {
    }

    public record Arrive(PodDraw pod) implements Step {
    }

    /** Releases the placed pod at {@code pick} modulo the number placed (oldest first); nothing when none is. */
    public record Release(int pick) implements Step {
    }

    public record AddNode(NodeDraw node) implements Step {
    }

    /** Removes the live node at {@code pick} modulo the live count, after releasing its pods. */
    public record RemoveNode(int pick) implements Step {
    }

    public record Scenario(List<NodeDraw> nodes, List<Step> steps) {
    }

    public static Arbitrary<NodeDraw> nodes() {
        return Combinators.combine(Arbitraries.integers().between(0, 96), Arbitraries.integers().between(0, 512),
                        Arbitraries.integers().between(0, 8), Arbitraries.integers().between(0, MODELS.size() - 1),
                        Arbitraries.integers().between(0, 9).map(i -> i == 0))
                .as(NodeDraw::new);
    }

    public static Arbitrary<PodDraw> pods() {
        Arbitrary<Integer> cpu = Arbitraries.integers().between(0, 32).map(c -> c * 500);
        Arbitrary<Integer> memory = Arbitraries.integers().between(0, 64);
        Arbitrary<Integer> models = Arbitraries.frequency(Tuple.of(4, 0), Tuple.of(1, 1), Tuple.of(1, 2), Tuple.of(1, 4), Tuple.of(1, 5));
        Arbitrary<PodDraw> cpuOnly = Combinators.combine(cpu, memory).as((c, m) -> new PodDraw(c, m, 0, 0, 0));
        Arbitrary<Integer> milli = Arbitraries.frequencyOf(List.of(
                Tuple.of(1, Arbitraries.integers().between(1, 999)), Tuple.of(1, Arbitraries.of(100, 250, 500, 999))));
        Arbitrary<PodDraw> share = Combinators.combine(cpu, memory, milli, models)
                .as((c, m, s, ms) -> new PodDraw(c, m, 0, s, ms));
        Arbitrary<PodDraw> whole = Combinators.combine(cpu, memory, Arbitraries.frequency(Tuple.of(6, 1), Tuple.of(3, 2),
                        Tuple.of(2, 4), Tuple.of(1, 8), Tuple.of(1, 3)), models)
                .as((c, m, g, ms) -> new PodDraw(c, m, g, 0, ms));
        return Arbitraries.frequencyOf(List.of(Tuple.of(2, cpuOnly), Tuple.of(5, share), Tuple.of(4, whole)));
    }

    public static Arbitrary<Step> steps(boolean nodeChanges) {
        Arbitrary<Step> arrive = pods().map(Arrive::new);
        Arbitrary<Step> release = Arbitraries.integers().between(0, 1000).map(Release::new);
        Arbitrary<Step> add = nodes().map(AddNode::new);
        Arbitrary<Step> remove = Arbitraries.integers().between(0, 1000).map(RemoveNode::new);
        return nodeChanges
                ? Arbitraries.frequencyOf(List.of(Tuple.of(12, arrive), Tuple.of(5, release), Tuple.of(1, add), Tuple.of(1, remove)))
                : Arbitraries.frequencyOf(List.of(Tuple.of(3, arrive), Tuple.of(1, release)));
    }

    public static Arbitrary<Scenario> scenarios(int maxSteps, boolean nodeChanges) {
        return Combinators.combine(
                        nodes().list().ofMinSize(1).ofMaxSize(30).withSizeDistribution(RandomDistribution.uniform()),
                        steps(nodeChanges).list().ofMaxSize(maxSteps).withSizeDistribution(RandomDistribution.uniform()))
                .as(Scenario::new);
    }
}
