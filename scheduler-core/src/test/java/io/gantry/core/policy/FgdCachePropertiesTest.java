package io.gantry.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.Scenarios;
import io.gantry.core.Scenarios.AddNode;
import io.gantry.core.Scenarios.Arrive;
import io.gantry.core.Scenarios.NodeDraw;
import io.gantry.core.Scenarios.PodDraw;
import io.gantry.core.Scenarios.Release;
import io.gantry.core.Scenarios.RemoveNode;
import io.gantry.core.Scenarios.Scenario;
import io.gantry.core.Scenarios.Step;
import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * FGD keeps scores and GPU choices per (node, pod shape) keyed by node version. After random placements,
 * releases and node additions and removals (which reuse node ids), the cached answers must equal those
 * of a policy built fresh on the same state.
 */
class FgdCachePropertiesTest {

    @Provide
    Arbitrary<Scenario> scenarios() {
        return Scenarios.scenarios(50, true);
    }

    @Provide
    Arbitrary<List<PodDraw>> probes() {
        return Scenarios.pods().list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 150)
    void cachedScoresEqualFreshOnes(@ForAll("scenarios") Scenario scenario, @ForAll("probes") List<PodDraw> probes) {
        ClusterState state = new ClusterState(2);
        int names = 0;
        for (NodeDraw node : scenario.nodes()) {
            state.addNode(node.toSpec("n" + names++));
        }
        List<TaskShape> shapes = new ArrayList<>();
        for (PodDraw probe : probes) {
            shapes.add(TaskShape.of(probe.toSpec(0).request(), probe.toSpec(0).gpuModels()));
        }
        for (Step step : scenario.steps()) {
            if (step instanceof Arrive a) {
                shapes.add(TaskShape.of(a.pod().toSpec(0).request(), a.pod().toSpec(0).gpuModels()));
            }
        }
        TaskShapeDistribution distribution = TaskShapeDistribution.typical(shapes, 0.95);
        FgdPolicy cached = new FgdPolicy(distribution);
        PodPlacer placer = new PodPlacer(state, cached, TieBreak.fixedRank(1));
        List<Long> placed = new ArrayList<>();
        long nextPod = 1;
        long probeId = 1_000_000;
        for (Step step : scenario.steps()) {
            if (step instanceof Arrive a) {
                PlacementResult result = placer.place(state.prepare(a.pod().toSpec(nextPod)));
                if (result.isPlaced()) {
                    placed.add(nextPod);
                }
                nextPod++;
            } else if (step instanceof Release r && !placed.isEmpty()) {
                state.release(placed.remove(r.pick() % placed.size()));
            } else if (step instanceof AddNode add) {
                state.addNode(add.node().toSpec("n" + names++));
            } else if (step instanceof RemoveNode remove) {
                removeEmptyNode(state, remove.pick(), placed);
            }
            FgdPolicy fresh = new FgdPolicy(distribution);
            for (PodDraw probe : probes) {
                PlacementRequest pod = state.prepare(probe.toSpec(probeId++));
                for (int node = 0; node < state.nodeSlots(); node++) {
                    if (state.isLive(node) && state.fits(pod, node)) {
                        assertThat(cached.score(state, pod, node)).as("score of %s on %s", probe, state.nodeName(node))
                                .isEqualTo(fresh.score(state, pod, node));
                        assertThat(cached.chooseGpus(state, pod, node)).as("GPUs of %s on %s", probe, state.nodeName(node))
                                .isEqualTo(fresh.chooseGpus(state, pod, node));
                    }
                }
            }
        }
    }

    /** Removes a live node, first releasing its pods, so that the id is free for reuse. */
    private static void removeEmptyNode(ClusterState state, int pick, List<Long> placed) {
        if (state.nodeCount() == 0) {
            return;
        }
        int index = pick % state.nodeCount();
        for (int node = 0, seen = 0; node < state.nodeSlots(); node++) {
            if (state.isLive(node) && seen++ == index) {
                for (int i = placed.size() - 1; i >= 0; i--) {
                    if (state.nodeOf(placed.get(i)) == node) {
                        state.release(placed.remove(i));
                    }
                }
                state.removeNode(node);
                return;
            }
        }
    }
}
