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

class DotProductPolicyTest {
    private final DotProductPolicy policy = new DotProductPolicy();

    @Test
    void picksTheNodeWhoseFreeVectorAlignsLeast() {
        ClusterState state = new ClusterState();
        int idle = state.addNode(node("idle", 128, 8, "A100"));
        int cpuBusy = state.addNode(node("cpu-busy", 128, 8, "A100"));
        int gpuBusy = state.addNode(node("gpu-busy", 128, 8, "A100"));
        hold(state, cpuOnly(100, 64_000), cpuBusy);
        hold(state, whole(101, 0, 6), gpuBusy, 0, 1, 2, 3, 4, 5);
        PlacementRequest pod = state.prepare(whole(1, 32_000, 2));

        // pod = [32000/128000, 2000/8000] = [0.25, 0.25]; score = trunc(100 * (1 - dot / 2))
        // idle:     node [1, 1]    dot 0.5    -> 100 * 0.75    = 75
        // cpu-busy: node [0.5, 1]  dot 0.375  -> 100 * 0.8125  = 81
        // gpu-busy: node [1, 0.25] dot 0.3125 -> 100 * 0.84375 = 84
        assertThat(policy.score(state, pod, idle)).isEqualTo(75);
        assertThat(policy.score(state, pod, cpuBusy)).isEqualTo(81);
        assertThat(policy.score(state, pod, gpuBusy)).isEqualTo(84);

        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(3)).decide(pod);
        assertThat(result.node()).isEqualTo(gpuBusy);
        assertThat(result.gpuMask()).as("lowest free GPUs 6 and 7").isEqualTo(mask(6, 7));
        assertThat(result.score()).as("not normalised").isEqualTo(84);
    }

    @Test
    void shareUsesItsMilliAndTheTightestGpu() {
        ClusterState state = new ClusterState();
        int a = state.addNode(node("a", 128, 8, "A100"));
        hold(state, share(100, 0, 500), a, 3);
        PlacementRequest pod = state.prepare(share(1, 64_000, 400));

        // node [1, 7500/8000 = 0.9375], pod [0.5, 400/8000 = 0.05]: dot = 0.5 + 0.046875 = 0.546875
        // 100 * (1 - 0.2734375) = 72.65625 -> 72
        assertThat(policy.score(state, pod, a)).isEqualTo(72);
        assertThat(policy.chooseGpus(state, pod, a)).as("GPU 3 has 500 left, the tightest fit").isEqualTo(mask(3));
    }
}
