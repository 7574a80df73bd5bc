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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GpuClusteringPolicyTest {
    private final GpuClusteringPolicy policy = new GpuClusteringPolicy();
    private ClusterState state;
    private int idle;
    private int sharesOnly;
    private int mixed;
    private int twoGpuOnly;

    /** Four 8-GPU nodes; base = floor(25 * (8000 - U) / 8000) with U the node's free GPU milli. */
    @BeforeEach
    void cluster() {
        state = new ClusterState();
        idle = state.addNode(node("idle", 64, 8, "A100"));          // U 8000, base 0, no GPU pods
        sharesOnly = state.addNode(node("shares", 64, 8, "A100"));  // U 7700, base floor(7500/8000) = 0
        mixed = state.addNode(node("mixed", 64, 8, "A100"));        // U 6800, base floor(30000/8000) = 3
        twoGpuOnly = state.addNode(node("two-gpu", 64, 8, "A100")); // U 6000, base floor(50000/8000) = 6
        hold(state, share(100, 0, 300), sharesOnly, 0);
        hold(state, share(101, 0, 200), mixed, 0);
        hold(state, whole(102, 0, 1), mixed, 1);
        hold(state, whole(103, 0, 2), twoGpuOnly, 0, 1);
        hold(state, cpuOnly(104, 1000), idle);
    }

    @Test
    void shareGoesToTheNodeHostingOnlyShares() {
        PlacementRequest pod = state.prepare(share(1, 0, 500));

        assertThat(policy.score(state, pod, idle)).as("no GPU pods: 25 + 0").isEqualTo(25);
        assertThat(policy.score(state, pod, sharesOnly)).as("only its class: 75 + 0").isEqualTo(75);
        assertThat(policy.score(state, pod, mixed)).as("its class among others: 50 + 3").isEqualTo(53);
        assertThat(policy.score(state, pod, twoGpuOnly)).as("only other classes: 0 + 6").isEqualTo(6);

        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(5)).decide(pod);
        assertThat(result.node()).isEqualTo(sharesOnly);
        assertThat(result.gpuMask()).as("GPU 0 has 700 left, the tightest fit").isEqualTo(mask(0));
    }

    @Test
    void wholeGpuClassesAreKeptApart() {
        PlacementRequest oneGpu = state.prepare(whole(1, 0, 1));
        PlacementRequest twoGpus = state.prepare(whole(2, 0, 2));

        assertThat(policy.score(state, oneGpu, sharesOnly)).as("only another class: 0 + 0").isZero();
        assertThat(policy.score(state, oneGpu, mixed)).as("1-GPU among others: 50 + 3").isEqualTo(53);
        assertThat(policy.score(state, oneGpu, twoGpuOnly)).isEqualTo(6);
        assertThat(policy.score(state, twoGpus, twoGpuOnly)).as("only 2-GPU: 75 + 6").isEqualTo(81);

        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(5)).decide(twoGpus);
        assertThat(result.node()).isEqualTo(twoGpuOnly);
        assertThat(result.gpuMask()).isEqualTo(mask(2, 3));
        assertThat(new PodPlacer(state, policy, TieBreak.fixedRank(5)).decide(oneGpu).node()).isEqualTo(mixed);
    }

    @Test
    void withinABandTheFullerNodeWins() {
        int fuller = state.addNode(node("fuller", 64, 8, "A100"));
        for (int i = 0; i < 4; i++) {
            hold(state, share(200 + i, 0, 900), fuller, i);
        }
        PlacementRequest pod = state.prepare(share(1, 0, 50));

        // U = 8000 - 3600 = 4400, base = floor(25 * 3600 / 8000) = floor(11.25) = 11
        assertThat(policy.score(state, pod, fuller)).isEqualTo(86);
        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(5)).decide(pod);
        assertThat(result.node()).isEqualTo(fuller);
        assertThat(result.gpuMask()).as("GPUs 0..3 all have 100 left: lowest index").isEqualTo(mask(0));
    }

    @Test
    void idleSmallNodeStillHasAPositiveBase() {
        int small = state.addNode(node("small", 8, 1, "A100"));

        // U = 1000: base = floor(25 * 7000 / 8000) = 21
        assertThat(policy.score(state, state.prepare(share(1, 0, 10)), small)).isEqualTo(46);
    }

    @Test
    void cpuOnlyPodScoresZeroEverywhere() {
        PlacementRequest pod = state.prepare(cpuOnly(1, 1000));

        for (int n : new int[] {idle, sharesOnly, mixed, twoGpuOnly}) {
            assertThat(policy.score(state, pod, n)).isZero();
        }
        assertThat(policy.chooseGpus(state, pod, idle)).isZero();
    }
}
