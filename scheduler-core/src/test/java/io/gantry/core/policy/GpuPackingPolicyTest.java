package io.gantry.core.policy;

import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.mask;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import org.junit.jupiter.api.Test;

class GpuPackingPolicyTest {
    private final GpuPackingPolicy policy = new GpuPackingPolicy();

    private PlacementResult decide(ClusterState state, PlacementRequest pod) {
        return new PodPlacer(state, policy, TieBreak.fixedRank(11)).decide(pod);
    }

    @Test
    void shareGoesToAPartlyUsedGpuThenAUsedNodeThenTheSmallestIdleNode() {
        ClusterState state = new ClusterState();
        int idle8 = state.addNode(node("idle-8", 64, 8, "A100"));
        int idle2 = state.addNode(node("idle-2", 64, 2, "A100"));
        int used = state.addNode(node("used", 64, 4, "A100"));
        int partly = state.addNode(node("partly", 64, 4, "A100"));
        hold(state, whole(100, 0, 1), used, 0);
        hold(state, share(101, 0, 550), partly, 0);
        hold(state, share(102, 0, 650), partly, 1);
        hold(state, cpuOnly(103, 60_000), idle2); // 4 cores left, enough
        PlacementRequest pod = state.prepare(share(1, 1_000, 300));

        assertThat(policy.score(state, pod, idle8)).as("idle: 33 - 8").isEqualTo(25);
        assertThat(policy.score(state, pod, idle2)).as("idle (CPU use ignored): 33 - 2").isEqualTo(31);
        assertThat(policy.score(state, pod, used)).as("used node, fresh GPU: 50 - 1").isEqualTo(49);
        // partly: free [450, 350, 1000, 1000]; tightest fit for 300 is GPU 1 (350): 100 - floor(350/100) = 97
        assertThat(policy.score(state, pod, partly)).isEqualTo(97);

        PlacementResult result = decide(state, pod);
        assertThat(result.node()).isEqualTo(partly);
        assertThat(result.gpuMask()).isEqualTo(mask(1));

        hold(state, cpuOnly(104, 64_000), partly); // partly now has no CPU left
        result = decide(state, pod);
        assertThat(result.node()).isEqualTo(used);
        assertThat(result.gpuMask()).as("lowest fully free GPU").isEqualTo(mask(1));

        hold(state, cpuOnly(105, 64_000), used);
        result = decide(state, pod);
        assertThat(result.node()).as("smaller idle node first: 31 > 25").isEqualTo(idle2);
        assertThat(result.gpuMask()).isEqualTo(mask(0));
    }

    @Test
    void partlyUsedGpuBandRunsFrom91To100() {
        ClusterState state = new ClusterState();
        int a = state.addNode(node("a", 8, 1, "T4"));
        int b = state.addNode(node("b", 8, 1, "T4"));
        int c = state.addNode(node("c", 8, 1, "T4"));
        hold(state, share(100, 0, 1), a, 0);   // 999 left -> 100 - 9 = 91
        hold(state, share(101, 0, 901), b, 0); // 99 left  -> 100 - 0 = 100
        hold(state, share(102, 0, 500), c, 0); // 500 left -> 100 - 5 = 95
        PlacementRequest pod = state.prepare(share(1, 0, 10));

        assertThat(policy.score(state, pod, a)).isEqualTo(91);
        assertThat(policy.score(state, pod, b)).isEqualTo(100);
        assertThat(policy.score(state, pod, c)).isEqualTo(95);
        assertThat(decide(state, pod).node()).isEqualTo(b);
    }

    @Test
    void wholeGpusPreferAUsedNode() {
        ClusterState state = new ClusterState();
        int idle4 = state.addNode(node("idle-4", 64, 4, "A100"));
        int used = state.addNode(node("used", 64, 8, "A100"));
        hold(state, share(100, 0, 100), used, 0);
        PlacementRequest two = state.prepare(whole(1, 0, 2));
        PlacementRequest eight = state.prepare(whole(2, 0, 7));

        assertThat(policy.score(state, two, idle4)).as("33 - 4").isEqualTo(29);
        assertThat(policy.score(state, two, used)).as("50 - 2").isEqualTo(48);
        assertThat(policy.score(state, eight, used)).as("50 - 7").isEqualTo(43);

        PlacementResult result = decide(state, two);
        assertThat(result.node()).isEqualTo(used);
        assertThat(result.gpuMask()).isEqualTo(mask(1, 2));
    }

    @Test
    void cpuOnlyPodScoresZero() {
        ClusterState state = new ClusterState();
        int a = state.addNode(node("a", 64, 4, "A100"));

        assertThat(policy.score(state, state.prepare(cpuOnly(1, 1)), a)).isZero();
    }
}
