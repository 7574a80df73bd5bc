package io.gantry.core.policy;

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

class BestFitPolicyTest {
    private final BestFitPolicy policy = new BestFitPolicy();

    @Test
    void picksTheNodeLeftWithLeastFree() {
        ClusterState state = new ClusterState();
        int idle = state.addNode(node("idle", 64, 8, "V100"));
        int half = state.addNode(node("half", 64, 8, "V100"));
        int full = state.addNode(node("almost-full", 64, 8, "V100"));
        hold(state, whole(100, 16_000, 4), half, 0, 1, 2, 3);
        hold(state, whole(101, 8_000, 7), full, 0, 1, 2, 3, 4, 5, 6);
        PlacementRequest pod = state.prepare(whole(1, 8_000, 1));

        // s = 0.5 * cpuLeft / 128000 + 0.5 * gpuLeft / 8000, raw = trunc(100 * (1 - s))
        // idle:   cpuLeft 56000, gpuLeft 7000: s = 0.21875 + 0.4375 = 0.65625 -> 34
        // half:   cpuLeft 40000, gpuLeft 3000: s = 0.15625 + 0.1875 = 0.34375 -> 65
        // full:   cpuLeft 48000, gpuLeft 0:    s = 0.1875            -> 81
        assertThat(policy.score(state, pod, idle)).isEqualTo(34);
        assertThat(policy.score(state, pod, half)).isEqualTo(65);
        assertThat(policy.score(state, pod, full)).isEqualTo(81);

        // min-max over 34..81: idle 0, half floor(31 * 100 / 47) = 65, full 100
        int[] scores = {34, 65, 81};
        policy.normalize(scores, 3);
        assertThat(scores).containsExactly(0, 65, 100);

        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(1)).decide(pod);
        assertThat(result.node()).isEqualTo(full);
        assertThat(result.gpuMask()).as("the only free GPU, 7").isEqualTo(mask(7));
        // the placer reports the raw score: normalising cannot change the choice (PlacementPolicy#normalize)
        assertThat(result.score()).isEqualTo(81);
        assertThat(result.nodesConsidered()).isEqualTo(3);
    }

    @Test
    void shareTakesTheTightestGpuLowestIndexOnTies() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 32, 4, "T4"));
        hold(state, share(100, 0, 700), n, 1);
        hold(state, share(101, 0, 400), n, 2);
        hold(state, share(102, 0, 700), n, 3);
        // free: [1000, 300, 600, 300]; a share of 250 fits all; tightest is 300, GPUs 1 and 3 -> 1
        PlacementRequest pod = state.prepare(share(1, 0, 250));

        PlacementResult result = new PodPlacer(state, policy, TieBreak.fixedRank(1)).decide(pod);
        assertThat(result.gpuMask()).isEqualTo(mask(1));
        assertThat(policy.chooseGpus(state, state.prepare(share(2, 0, 301)), n)).as("300 is too little; 600 next").isEqualTo(mask(2));
        assertThat(policy.chooseGpus(state, state.prepare(whole(3, 0, 1)), n)).isEqualTo(mask(0));
    }

    @Test
    void equalScoresAllNormaliseToZero() {
        int[] scores = {40, 40, 40, 7};
        policy.normalize(scores, 3);

        assertThat(scores).containsExactly(0, 0, 0, 7);
    }

    @Test
    void normalisationTruncates() {
        int[] scores = {10, 11, 13};
        ScoreNormalizer.minMax(scores, 3);

        // (11 - 10) * 100 / 3 = 33.3 -> 33
        assertThat(scores).containsExactly(0, 33, 100);
    }
}
