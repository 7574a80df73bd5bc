package io.gantry.core.state;

import static io.gantry.core.Fixtures.GIB;
import static io.gantry.core.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Random sequences of node and pod mutations straight on {@link ClusterState}, each checked against a
 * brute-force model: a mutation succeeds exactly when the model says it may, a failed one changes
 * nothing, a successful one changes exactly what it should, and {@link ClusterState#verify()} passes
 * after every step.
 */
class ClusterStatePropertiesTest {
    static final List<String> MODELS = List.of("A100", "V100", "T4");

    /** A pod shape; {@code models} is a bit set over {@link #MODELS} (0 = any). */
    record Shape(long cpuMilli, long memoryGib, int gpus, int milli, int models) {
        PodSpec toPod(long id) {
            Set<String> accepted = new HashSet<>();
            for (int m = 0; m < MODELS.size(); m++) {
                if ((models & (1 << m)) != 0) {
                    accepted.add(MODELS.get(m));
                }
            }
            return PodSpec.of(id, "p" + id, new ResourceRequest(cpuMilli, memoryGib * GIB, gpus, milli, 0), accepted);
        }
    }

    sealed interface Op permits Add, Remove, Update, Assume, Release {
    }

    record Add(int cores, int memoryGib, int gpus, int model, boolean cordoned) implements Op {
    }

    record Remove(int pick) implements Op {
    }

    record Update(int pick, int cores, int memoryGib, int gpus, int model) implements Op {
    }

    record Assume(Shape shape, int nodePick, int maskSeed, boolean aimValid) implements Op {
    }

    record Release(int pick, boolean unknown) implements Op {
    }

    static Arbitrary<Shape> shapes() {
        Arbitrary<Long> cpu = Arbitraries.longs().between(0, 16_000);
        Arbitrary<Long> memory = Arbitraries.longs().between(0, 64);
        Arbitrary<Integer> models = Arbitraries.integers().between(0, 7);
        Arbitrary<Shape> cpuOnly = Combinators.combine(cpu, memory).as((c, m) -> new Shape(c, m, 0, 0, 0));
        Arbitrary<Shape> share = Combinators.combine(cpu, memory, Arbitraries.integers().between(1, 999), models)
                .as((c, m, milli, ms) -> new Shape(c, m, 0, milli, ms));
        Arbitrary<Shape> whole = Combinators.combine(cpu, memory, Arbitraries.integers().between(1, 8), models)
                .as((c, m, g, ms) -> new Shape(c, m, g, 0, ms));
        return Arbitraries.frequencyOf(List.of(Tuple.of(1, cpuOnly), Tuple.of(3, share), Tuple.of(2, whole)));
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1000);
        Arbitrary<Op> add = Combinators.combine(Arbitraries.integers().between(0, 64), Arbitraries.integers().between(0, 256),
                Arbitraries.integers().between(0, 8), Arbitraries.integers().between(0, 2), Arbitraries.of(false, false, false, true))
                .as((c, m, g, model, cordoned) -> new Add(c, m, g, model, cordoned));
        Arbitrary<Op> remove = pick.map(Remove::new);
        Arbitrary<Op> update = Combinators.combine(pick, Arbitraries.integers().between(0, 64), Arbitraries.integers().between(0, 256),
                Arbitraries.integers().between(0, 8), Arbitraries.integers().between(0, 2))
                .as((p, c, m, g, model) -> new Update(p, c, m, g, model));
        Arbitrary<Op> assume = Combinators.combine(shapes(), pick, Arbitraries.integers().between(0, 0xFFFF),
                Arbitraries.of(true, true, true, false))
                .as((s, p, mask, valid) -> new Assume(s, p, mask, valid));
        Arbitrary<Op> release = Combinators.combine(pick, Arbitraries.of(false, false, false, false, true)).as(Release::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(List.of(Tuple.of(3, add), Tuple.of(1, remove), Tuple.of(1, update),
                Tuple.of(8, assume), Tuple.of(3, release)));
        return op.list().ofMinSize(1).ofMaxSize(80).withSizeDistribution(RandomDistribution.uniform());
    }

    /** What an assumed pod took: used to check that its release gives back exactly that. */
    record Taken(long podId, int node, long cpu, long memory, int mask, int perGpu) {
    }

    private static final List<Shape> PROBES = List.of(
            new Shape(1_000, 1, 0, 0, 0), new Shape(4_000, 8, 0, 500, 0), new Shape(0, 0, 0, 995, 1),
            new Shape(8_000, 16, 1, 0, 0), new Shape(2_000, 0, 2, 0, 6), new Shape(0, 0, 8, 0, 0),
            new Shape(0, 0, 0, 10, 4));

    @Property(tries = 300)
    void everyMutationKeepsTheInvariants(@ForAll("operations") List<Op> ops) {
        ClusterState state = new ClusterState(2);
        List<Integer> live = new ArrayList<>();
        Map<Long, Taken> placed = new HashMap<>();
        List<Long> placedOrder = new ArrayList<>();
        long nextPod = 1;
        int nextNode = 0;
        for (Op op : ops) {
            List<String> before = snapshot(state);
            if (op instanceof Add a) {
                String model = a.gpus > 0 ? MODELS.get(a.model) : "";
                NodeSpec spec = NodeSpec.of("n" + nextNode++, a.cores * 1000L, a.memoryGib * GIB, a.gpus, model)
                        .withSchedulable(!a.cordoned);
                int id = state.addNode(spec);
                assertThat(live).doesNotContain(id);
                assertThat(state.freeWholeGpus(id)).isEqualTo(a.gpus);
                assertThat(state.podsOnNode(id)).isZero();
                live.add(id);
            } else if (op instanceof Remove r && !live.isEmpty()) {
                int node = live.get(r.pick % live.size());
                if (state.podsOnNode(node) == 0) {
                    state.removeNode(node);
                    live.remove(Integer.valueOf(node));
                    assertThat(state.isLive(node)).isFalse();
                } else {
                    assertThatThrownBy(() -> state.removeNode(node)).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining(state.nodeName(node));
                    assertThat(snapshot(state)).isEqualTo(before);
                }
            } else if (op instanceof Update u && !live.isEmpty()) {
                update(state, live.get(u.pick % live.size()), u, before);
            } else if (op instanceof Assume a && !live.isEmpty()) {
                PodSpec pod = a.shape.toPod(nextPod++);
                int node = live.get(a.nodePick % live.size());
                Taken taken = assume(state, state.prepare(pod), node, a, before);
                if (taken != null) {
                    placed.put(taken.podId, taken);
                    placedOrder.add(taken.podId);
                }
            } else if (op instanceof Release r) {
                if (r.unknown || placedOrder.isEmpty()) {
                    assertThatThrownBy(() -> state.release(-7)).isInstanceOf(IllegalStateException.class);
                    assertThat(snapshot(state)).isEqualTo(before);
                } else {
                    long podId = placedOrder.remove(r.pick % placedOrder.size());
                    release(state, placed.remove(podId));
                }
            }
            state.verify();
            assertThat(state.placedPods()).isEqualTo(placed.size());
            assertThat(state.nodeCount()).isEqualTo(live.size());
            checkFitAndCandidates(state, live);
        }
    }

    private static void update(ClusterState state, int node, Update u, List<String> before) {
        String model = u.gpus > 0 ? MODELS.get(u.model) : "";
        NodeSpec old = state.node(node);
        NodeSpec spec = NodeSpec.of(old.name(), u.cores * 1000L, u.memoryGib * GIB, u.gpus, model)
                .withSchedulable(old.schedulable());
        long cpuUsed = state.cpuCapacity(node) - state.cpuFree(node);
        long memoryUsed = state.memoryCapacity(node) - state.memoryFree(node);
        boolean anyGpuUsed = false;
        boolean droppedGpuUsed = false;
        for (int g = 0; g < state.gpuCount(node); g++) {
            boolean used = state.gpuFree(node, g) != 1000;
            anyGpuUsed |= used;
            droppedGpuUsed |= used && g >= u.gpus;
        }
        boolean allowed = spec.cpuMilli() >= cpuUsed && spec.memoryBytes() >= memoryUsed && !droppedGpuUsed
                && !(anyGpuUsed && !old.gpuModel().equals(model));
        int[] gpuFree = new int[u.gpus];
        for (int g = 0; g < u.gpus; g++) {
            gpuFree[g] = g < state.gpuCount(node) ? state.gpuFree(node, g) : 1000;
        }
        if (!allowed) {
            assertThatThrownBy(() -> state.updateNode(node, spec)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("node " + old.name() + ":");
            assertThat(snapshot(state)).isEqualTo(before);
            return;
        }
        state.updateNode(node, spec);
        assertThat(state.cpuFree(node)).isEqualTo(spec.cpuMilli() - cpuUsed);
        assertThat(state.memoryFree(node)).isEqualTo(spec.memoryBytes() - memoryUsed);
        assertThat(state.gpuCount(node)).isEqualTo(u.gpus);
        for (int g = 0; g < u.gpus; g++) {
            assertThat(state.gpuFree(node, g)).isEqualTo(gpuFree[g]);
        }
    }

    /** Tries the assume; returns what it took, or null when the model says it must fail (and it did). */
    private static Taken assume(ClusterState state, PlacementRequest pod, int node, Assume a, List<String> before) {
        int count = state.gpuCount(node);
        int perGpu = pod.gpus() > 0 ? 1000 : pod.gpuMilli();
        int touched = pod.gpus() > 0 ? pod.gpus() : (pod.gpuMilli() > 0 ? 1 : 0);
        int mask = a.maskSeed & 0x1FF; // may name GPUs the node does not have
        if (a.aimValid) {
            mask = 0;
            List<Integer> fitting = new ArrayList<>();
            for (int g = 0; g < count; g++) {
                if (state.gpuFree(node, g) >= perGpu) {
                    fitting.add(g);
                }
            }
            if (pod.gpus() > 0) {
                for (int i = 0; i < Math.min(touched, fitting.size()); i++) {
                    mask |= 1 << fitting.get(i);
                }
            } else if (touched == 1 && !fitting.isEmpty()) {
                mask = 1 << fitting.get(a.maskSeed % fitting.size());
            }
        }
        boolean allowed = pod.cpuMilli() <= state.cpuFree(node) && pod.memoryBytes() <= state.memoryFree(node)
                && Integer.bitCount(mask) == touched
                && (touched == 0 || GpuModelRegistry.accepts(pod.modelMask(), state.gpuModelId(node)));
        for (int bits = mask; allowed && bits != 0; bits &= bits - 1) {
            int g = Integer.numberOfTrailingZeros(bits);
            allowed = g < count && state.gpuFree(node, g) >= perGpu;
        }
        if (!allowed) {
            int finalMask = mask;
            assertThatThrownBy(() -> state.assume(pod, node, finalMask)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("pod " + pod.name() + ":");
            assertThat(snapshot(state)).isEqualTo(before);
            return null;
        }
        long cpu = state.cpuFree(node);
        long memory = state.memoryFree(node);
        int[] gpus = gpuFree(state, node);
        long version = state.version(node);
        state.assume(pod, node, mask);
        assertThat(state.cpuFree(node)).isEqualTo(cpu - pod.cpuMilli());
        assertThat(state.memoryFree(node)).isEqualTo(memory - pod.memoryBytes());
        for (int g = 0; g < count; g++) {
            assertThat(state.gpuFree(node, g)).isEqualTo(gpus[g] - ((mask & (1 << g)) != 0 ? perGpu : 0));
        }
        assertThat(state.version(node)).isGreaterThan(version);
        assertThat(state.nodeOf(pod.id())).isEqualTo(node);
        assertThat(state.gpuMaskOf(pod.id())).isEqualTo(mask);
        assertOtherNodesUnchanged(state, node, before);
        return new Taken(pod.id(), node, pod.cpuMilli(), pod.memoryBytes(), mask, perGpu);
    }

    private static void release(ClusterState state, Taken t) {
        List<String> before = snapshot(state);
        long cpu = state.cpuFree(t.node);
        long memory = state.memoryFree(t.node);
        int[] gpus = gpuFree(state, t.node);
        state.release(t.podId);
        assertThat(state.cpuFree(t.node)).isEqualTo(cpu + t.cpu);
        assertThat(state.memoryFree(t.node)).isEqualTo(memory + t.memory);
        for (int g = 0; g < gpus.length; g++) {
            assertThat(state.gpuFree(t.node, g)).isEqualTo(gpus[g] + ((t.mask & (1 << g)) != 0 ? t.perGpu : 0));
        }
        assertThat(state.isPlaced(t.podId)).isFalse();
        assertOtherNodesUnchanged(state, t.node, before);
    }

    private static int[] gpuFree(ClusterState state, int node) {
        int[] free = new int[state.gpuCount(node)];
        for (int g = 0; g < free.length; g++) {
            free[g] = state.gpuFree(node, g);
        }
        return free;
    }

    private static void assertOtherNodesUnchanged(ClusterState state, int node, List<String> before) {
        List<String> after = snapshot(state);
        String prefix = node + " ";
        assertThat(after.stream().filter(l -> !l.startsWith(prefix) && !l.startsWith("placed=")).toList())
                .isEqualTo(before.stream().filter(l -> !l.startsWith(prefix) && !l.startsWith("placed=")).toList());
    }

    /** fits() agrees with a brute-force rule, and collectCandidates() holds every node that fits. */
    static void checkFitAndCandidates(ClusterState state, List<Integer> live) {
        int[] out = new int[state.nodeSlots()];
        long id = 1_000_000;
        for (Shape probe : PROBES) {
            PlacementRequest pod = state.prepare(probe.toPod(id++));
            int count = state.collectCandidates(pod, out);
            Set<Integer> candidates = new HashSet<>();
            for (int i = 0; i < count; i++) {
                assertThat(candidates.add(out[i])).as("candidate listed twice").isTrue();
            }
            for (int node : live) {
                boolean expected = fitsByHand(state, pod, node);
                assertThat(state.fits(pod, node)).as("fits %s on %s", probe, state.nodeName(node)).isEqualTo(expected);
                if (expected) {
                    assertThat(candidates).as("candidates for %s", probe).contains(node);
                }
            }
            assertThat(candidates).allMatch(live::contains);
        }
    }

    static boolean fitsByHand(ClusterState state, PlacementRequest pod, int node) {
        if (!state.node(node).schedulable()) {
            return false;
        }
        if (pod.asksGpu()) {
            int count = state.gpuCount(node);
            if (count == 0 || !GpuModelRegistry.accepts(pod.modelMask(), state.gpuModelId(node))) {
                return false;
            }
            int fullyFree = 0;
            int largest = 0;
            for (int g = 0; g < count; g++) {
                fullyFree += state.gpuFree(node, g) == 1000 ? 1 : 0;
                largest = Math.max(largest, state.gpuFree(node, g));
            }
            if (pod.gpus() > 0 ? fullyFree < pod.gpus() : largest < pod.gpuMilli()) {
                return false;
            }
        }
        return pod.cpuMilli() <= state.cpuFree(node) && pod.memoryBytes() <= state.memoryFree(node);
    }
}
