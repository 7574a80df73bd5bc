package io.gantry.core.placement;

import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.pod;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.snapshot;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodPlacerTest {

    private static PodPlacer placer(ClusterState state) {
        return new PodPlacer(state, Policies.create("bestfit", PolicyContext.of(1)), TieBreak.fixedRank(1));
    }

    @Test
    void unschedulableCountsEveryNodeUnderItsFirstCause() {
        ClusterState state = new ClusterState();
        for (int i = 0; i < 8; i++) {
            state.addNode(node("t4-" + i, 32, 4, "T4"));
        }
        for (int i = 0; i < 3; i++) {
            int n = state.addNode(node("a100-" + i, 32, 2, "A100"));
            hold(state, share(100 + i, 0, 100), n, 0);
        }
        state.addNode(node("cordoned", 32, 8, "A100").withSchedulable(false));
        PlacementRequest pod = state.prepare(whole(1, 4_000, 2, "A100"));
        List<String> before = snapshot(state);

        PlacementResult result = placer(state).place(pod);

        assertThat(result.isPlaced()).isFalse();
        assertThat(result.node()).isEqualTo(ClusterState.NO_NODE);
        assertThat(result.reason())
                .isEqualTo("0/12 nodes fit: 8 nodes lack an acceptable GPU model; 3 nodes have too few fully free GPUs; 1 node is cordoned");
        assertThat(result.unfitCount(UnfitCause.GPU_MODEL_MISMATCH)).isEqualTo(8);
        assertThat(result.unfitCount(UnfitCause.TOO_FEW_FREE_GPUS)).isEqualTo(3);
        assertThat(result.unfitCount(UnfitCause.CORDONED)).isEqualTo(1);
        assertThat(result.unfitCount(UnfitCause.INSUFFICIENT_CPU)).isZero();
        assertThat(result.nodesConsidered()).isEqualTo(12);
        assertThat(result.toDecision(state)).isEqualTo(new Decision.Unschedulable(result.reason()));
        assertThat(snapshot(state)).as("place changes nothing when it fails").isEqualTo(before);
    }

    @Test
    void equalCountsKeepTheCheckOrder() {
        ClusterState state = new ClusterState();
        state.addNode(node("small-0", 2, 0, ""));
        state.addNode(node("off-0", 64, 0, "").withSchedulable(false));
        state.addNode(node("small-1", 2, 0, ""));
        state.addNode(node("off-1", 64, 0, "").withSchedulable(false));
        state.addNode(NodeSpec.of("no-memory", 64_000, 0, 0, ""));

        PlacementResult result = placer(state).decide(state.prepare(pod(1, ResourceRequest.cpuOnly(4_000, 1))));

        assertThat(result.reason())
                .isEqualTo("0/5 nodes fit: 2 nodes are cordoned; 2 nodes have too little free CPU; 1 node has too little free memory");
    }

    @Test
    void emptyClusterSaysSo() {
        ClusterState state = new ClusterState();

        PlacementResult result = placer(state).decide(state.prepare(cpuOnly(1, 1)));

        assertThat(result.isPlaced()).isFalse();
        assertThat(result.reason()).isEqualTo("0/0 nodes fit: the cluster has no nodes");
    }

    @Test
    void removedNodesAreNotCounted() {
        ClusterState state = new ClusterState();
        state.addNode(node("a", 1, 0, ""));
        int b = state.addNode(node("b", 64, 0, ""));
        state.removeNode(b);

        assertThat(placer(state).decide(state.prepare(cpuOnly(1, 4_000))).reason())
                .isEqualTo("0/1 nodes fit: 1 node has too little free CPU");
    }

    @Test
    void placeAssumesAndDecideDoesNot() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("a", 8, 2, "T4"));
        PodPlacer placer = placer(state);
        PlacementRequest pod = state.prepare(share(1, 1_000, 300));

        PlacementResult decided = placer.decide(pod);
        assertThat(decided.isPlaced()).isTrue();
        assertThat(decided.reason()).isEqualTo("placed");
        assertThat(state.isPlaced(1)).isFalse();

        PlacementResult placed = placer.place(pod);
        assertThat(state.nodeOf(1)).isEqualTo(n);
        assertThat(state.gpuMaskOf(1)).isEqualTo(placed.gpuMask()).isEqualTo(1);
        assertThat(state.gpuFree(n, 0)).isEqualTo(700);
    }

    @Test
    void toDecisionCopiesWhatTheReusedResultWillForget() {
        ClusterState state = new ClusterState();
        state.addNode(node("small", 8, 2, "T4"));
        int big = state.addNode(node("big", 64, 8, "T4"));
        hold(state, whole(100, 0, 5), big, 0, 1, 2, 3, 4);
        PodPlacer placer = placer(state);

        PlacementResult result = placer.place(state.prepare(whole(1, 1_000, 2)));
        // bestfit: small: cpuLeft 7000, gpuLeft 0 -> s = 0.0273 -> 97; big: cpuLeft 63000, gpuLeft 1000 -> s = 0.3086 -> 69
        Decision first = result.toDecision(state);
        assertThat(first).isEqualTo(new Decision.Placed(0, "small", new int[] {0, 1}));
        assertThat(result.gpuIndexes()).containsExactly(0, 1);

        PlacementResult again = placer.place(state.prepare(whole(2, 1_000, 3)));
        assertThat(again).as("the result object is reused").isSameAs(result);
        assertThat(again.toDecision(state)).isEqualTo(new Decision.Placed(big, "big", new int[] {5, 6, 7}));
        assertThat(first).as("the earlier copy is unchanged").isEqualTo(new Decision.Placed(0, "small", new int[] {0, 1}));

        Decision.Placed placed = (Decision.Placed) first;
        placed.gpus()[0] = 99;
        assertThat(placed.gpus()).containsExactly(0, 1);
        int[] source = {3, 4};
        Decision.Placed copy = new Decision.Placed(1, "x", source);
        source[0] = 9;
        assertThat(copy.gpus()).containsExactly(3, 4);
        assertThat(copy.hashCode()).isEqualTo(new Decision.Placed(1, "x", new int[] {3, 4}).hashCode());
        assertThat(copy.toString()).isEqualTo("Placed[x gpus=[3, 4]]");

        PlacementResult refused = placer.place(state.prepare(whole(3, 1_000, 8)));
        assertThat(refused.toDecision(state)).isInstanceOf(Decision.Unschedulable.class);
        assertThat(first).isEqualTo(new Decision.Placed(0, "small", new int[] {0, 1}));
    }
}
