package io.gantry.core.placement;

import static io.gantry.core.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.Scenarios;
import io.gantry.core.Scenarios.AddNode;
import io.gantry.core.Scenarios.Arrive;
import io.gantry.core.Scenarios.NodeDraw;
import io.gantry.core.Scenarios.Release;
import io.gantry.core.Scenarios.RemoveNode;
import io.gantry.core.Scenarios.Scenario;
import io.gantry.core.Scenarios.Step;
import io.gantry.core.model.PodSpec;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random clusters and random arrivals and releases, placed by {@link PodPlacer} with every policy:
 * after every step {@link ClusterState#verify()} passes (GPU milli within 0..1000, CPU and memory
 * within capacity, no shared whole GPU, indexes equal to a brute-force scan), a placement takes exactly
 * the pod's request, a release gives back exactly what its assume took, and the same inputs give the
 * same decisions.
 */
class PodPlacerPropertiesTest {

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Scenarios.scenarios(100, true);
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(Policies.ALL);
    }

    /** What an assume took on its node. */
    private record Taken(long podId, int node, long cpu, long memory, int mask, int perGpu) {
    }

    /** Runs {@code scenario}, checking after every step; returns one line per decision. */
    static List<String> run(Scenario scenario, String policyName, TieBreak tieBreak, boolean check) {
        ClusterState state = new ClusterState(4);
        int nodeNames = 0;
        for (NodeDraw node : scenario.nodes()) {
            state.addNode(node.toSpec("n" + nodeNames++));
        }
        List<TaskShape> arriving = new ArrayList<>();
        for (Step step : scenario.steps()) {
            if (step instanceof Arrive a) {
                PodSpec pod = a.pod().toSpec(0);
                arriving.add(TaskShape.of(pod.request(), pod.gpuModels()));
            }
        }
        TaskShapeDistribution shapes = TaskShapeDistribution.typical(arriving, TaskShapeDistribution.PAPER_COVERAGE);
        PodPlacer placer = new PodPlacer(state, Policies.create(policyName, new PolicyContext(17, shapes)), tieBreak);
        List<Taken> placed = new ArrayList<>();
        List<String> log = new ArrayList<>();
        long nextPod = 1;
        for (Step step : scenario.steps()) {
            if (step instanceof Arrive a) {
                PlacementRequest pod = state.prepare(a.pod().toSpec(nextPod++));
                List<String> before = snapshot(state);
                PlacementResult result = placer.place(pod);
                log.add(result.toDecision(state).toString());
                if (result.isPlaced()) {
                    Taken taken = new Taken(pod.id(), result.node(), pod.cpuMilli(), pod.memoryBytes(), result.gpuMask(),
                            pod.gpus() > 0 ? 1000 : pod.gpuMilli());
                    placed.add(taken);
                    if (check) {
                        checkTaken(state, taken, before, -1);
                        checkReleaseRestores(state, pod, taken, before);
                    }
                } else if (check) {
                    assertThat(snapshot(state)).isEqualTo(before);
                    checkUnschedulable(state, pod, result);
                }
            } else if (step instanceof Release r && !placed.isEmpty()) {
                release(state, placed.remove(r.pick() % placed.size()), check);
            } else if (step instanceof AddNode add) {
                int id = state.addNode(add.node().toSpec("n" + nodeNames++));
                log.add("added " + state.nodeName(id) + " as " + id);
            } else if (step instanceof RemoveNode remove && state.nodeCount() > 0) {
                int node = liveNode(state, remove.pick() % state.nodeCount());
                for (int i = placed.size() - 1; i >= 0; i--) {
                    if (placed.get(i).node == node) {
                        release(state, placed.remove(i), check);
                    }
                }
                state.removeNode(node);
                log.add("removed " + node);
            }
            if (check) {
                state.verify();
                assertThat(state.placedPods()).isEqualTo(placed.size());
            }
        }
        return log;
    }

    private static int liveNode(ClusterState state, int index) {
        for (int node = 0, seen = 0; node < state.nodeSlots(); node++) {
            if (state.isLive(node) && seen++ == index) {
                return node;
            }
        }
        throw new AssertionError("no live node " + index);
    }

    /** After an assume (sign -1) or release (sign +1) of {@code t}: only t's node changed, by exactly t's amounts. */
    private static void checkTaken(ClusterState state, Taken t, List<String> before, int sign) {
        List<String> after = snapshot(state);
        String prefix = t.node + " ";
        for (int i = 0; i < before.size() - 1; i++) {
            if (!before.get(i).startsWith(prefix)) {
                assertThat(after.get(i)).isEqualTo(before.get(i));
            }
        }
        String line = before.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
        long cpuBefore = Long.parseLong(line.replaceAll(".* cpu=(\\d+)/.*", "$1"));
        long memoryBefore = Long.parseLong(line.replaceAll(".* mem=(\\d+)/.*", "$1"));
        String[] gpus = line.replaceAll(".* gpus=\\[([^]]*)].*", "$1").split(",");
        assertThat(state.cpuFree(t.node)).isEqualTo(cpuBefore + sign * t.cpu);
        assertThat(state.memoryFree(t.node)).isEqualTo(memoryBefore + sign * t.memory);
        for (int g = 0; g < state.gpuCount(t.node); g++) {
            int delta = (t.mask & (1 << g)) != 0 ? t.perGpu : 0;
            assertThat(state.gpuFree(t.node, g)).as("GPU %d", g).isEqualTo(Integer.parseInt(gpus[g]) + sign * delta);
        }
    }

    /** Releasing the pod just placed restores every free value captured before its assume; assuming it again works. */
    private static void checkReleaseRestores(ClusterState state, PlacementRequest pod, Taken t, List<String> beforeAssume) {
        List<String> afterAssume = snapshot(state);
        state.release(t.podId);
        assertThat(withoutVersions(snapshot(state))).isEqualTo(withoutVersions(beforeAssume));
        state.assume(pod, t.node, t.mask);
        assertThat(withoutVersions(snapshot(state))).isEqualTo(withoutVersions(afterAssume));
    }

    private static List<String> withoutVersions(List<String> lines) {
        return lines.stream().map(l -> l.replaceAll(" v=\\d+", "")).toList();
    }

    private static void release(ClusterState state, Taken t, boolean check) {
        List<String> before = snapshot(state);
        state.release(t.podId);
        if (check) {
            checkTaken(state, t, before, +1);
        }
    }

    private static void checkUnschedulable(ClusterState state, PlacementRequest pod, PlacementResult result) {
        int counted = 0;
        for (UnfitCause cause : UnfitCause.values()) {
            counted += result.unfitCount(cause);
        }
        assertThat(result.nodesConsidered()).isEqualTo(state.nodeCount());
        assertThat(counted).as("every node is counted under one cause").isEqualTo(state.nodeCount());
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (state.isLive(node)) {
                assertThat(state.fits(pod, node)).isFalse();
            }
        }
        assertThat(result.reason()).startsWith("0/" + state.nodeCount() + " nodes fit: ");
    }

    @Property(tries = 300)
    void invariantsHoldAfterEveryStep(@ForAll("scenarios") Scenario scenario, @ForAll("policies") String policy) {
        run(scenario, policy, TieBreak.fixedRank(3), true);
    }

    @Property(tries = 100)
    void sameInputsGiveTheSameDecisions(@ForAll("scenarios") Scenario scenario, @ForAll("policies") String policy) {
        assertThat(run(scenario, policy, TieBreak.fixedRank(9), false))
                .isEqualTo(run(scenario, policy, TieBreak.fixedRank(9), false));
        assertThat(run(scenario, policy, TieBreak.perDecisionRandom(9), false))
                .isEqualTo(run(scenario, policy, TieBreak.perDecisionRandom(9), false));
    }
}
