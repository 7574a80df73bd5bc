package io.gantry.core.policy;

import static io.gantry.core.Fixtures.GIB;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.mask;
import static io.gantry.core.Fixtures.pod;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import org.junit.jupiter.api.Test;

class SpreadPolicyTest {
    private final SpreadPolicy policy = new SpreadPolicy();

    @Test
    void picksTheEmptiestNodeAndTheEmptiestGpu() {
        ClusterState state = new ClusterState();
        int quiet = state.addNode(NodeSpec.of("quiet", 32_000, 128 * GIB, 4, "L4"));
        int busy = state.addNode(NodeSpec.of("busy", 32_000, 128 * GIB, 4, "L4"));
        int cpu = state.addNode(NodeSpec.of("cpu", 32_000, 128 * GIB, 0, ""));
        hold(state, share(100, 0, 200), quiet, 0);
        hold(state, pod(101, ResourceRequest.cpuOnly(16_000, 64 * GIB)), busy);
        PlacementRequest pod = state.prepare(pod(1, ResourceRequest.gpuShare(4_000, 16 * GIB, 500)));

        // score = trunc(100 * mean(cpu left / cap, memory left / cap, GPU milli left / cap))
        // quiet: 28/32 = 0.875, 112/128 = 0.875, 3300/4000 = 0.825 -> 2.575 / 3 = 0.8583 -> 85
        // busy:  12/32 = 0.375, 48/128 = 0.375,  3500/4000 = 0.875 -> 1.625 / 3 = 0.5417 -> 54
        assertThat(policy.score(state, pod, quiet)).isEqualTo(85);
        assertThat(policy.score(state, pod, busy)).isEqualTo(54);

        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(1)).decide(pod);
        assertThat(result.node()).isEqualTo(quiet);
        assertThat(result.gpuMask()).as("GPU 0 has 800 left, GPU 1 is the first fully free").isEqualTo(mask(1));
        assertThat(result.nodesConsidered()).as("the CPU node cannot host a GPU pod").isEqualTo(2);

        // a CPU-only pod: the GPU-less node counts two dimensions only
        PlacementRequest cpuPod = state.prepare(pod(2, ResourceRequest.cpuOnly(8_000, 32 * GIB)));
        // cpu: 24/32 = 0.75, 96/128 = 0.75 -> 75; quiet: (0.75 + 0.75 + 3800/4000 = 0.95) / 3 = 0.8167 -> 81
        assertThat(policy.score(state, cpuPod, cpu)).isEqualTo(75);
        assertThat(policy.score(state, cpuPod, quiet)).isEqualTo(81);
    }

    @Test
    void emptiestGpuLowestIndexOnTies() {
        ClusterState state = new ClusterState();
        int n = state.addNode(NodeSpec.of("n", 32_000, 128 * GIB, 4, "L4"));
        hold(state, share(100, 0, 300), n, 0);
        hold(state, share(101, 0, 100), n, 1);
        hold(state, share(102, 0, 100), n, 2);
        hold(state, share(103, 0, 500), n, 3);
        // free [700, 900, 900, 500]: emptiest is 900, GPUs 1 and 2 -> 1

        assertThat(policy.chooseGpus(state, state.prepare(share(1, 0, 100)), n)).isEqualTo(mask(1));
        assertThat(policy.chooseGpus(state, state.prepare(share(2, 0, 800)), n)).as("only GPUs 1 and 2 fit").isEqualTo(mask(1));
        state.release(101);
        assertThat(policy.chooseGpus(state, state.prepare(whole(3, 0, 1)), n)).isEqualTo(mask(1));
    }

    @Test
    void zeroCapacityCountsAsNothingLeft() {
        ClusterState state = new ClusterState();
        int n = state.addNode(NodeSpec.of("n", 10_000, 0, 0, ""));

        // cpu 5/10 = 0.5, memory capacity 0 -> 0: (0.5 + 0) / 2 = 0.25 -> 25
        assertThat(policy.score(state, state.prepare(pod(1, ResourceRequest.cpuOnly(5_000, 0))), n)).isEqualTo(25);
    }
}
