package io.gantry.core.policy;

import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.mask;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FgdPolicyTest {

    /** Half of the tasks ask a share of 500, half one whole GPU; both 1 core, any model. */
    private static final TaskShapeDistribution HALF_SHARE_HALF_WHOLE = TaskShapeDistribution.of(Map.of(
            new TaskShape(1_000, 0, 500, Set.of()), 1.0,
            new TaskShape(1_000, 1, 0, Set.of()), 1.0));

    /** 98% CPU-only tasks, 2% shares of 750. */
    private static final TaskShapeDistribution MOSTLY_CPU = TaskShapeDistribution.of(Map.of(
            new TaskShape(1_000, 0, 0, Set.of()), 0.98,
            new TaskShape(1_000, 0, 750, Set.of()), 0.02));

    private static int sigmoidScore(double decrease) {
        return (int) (100 / (1 + Math.exp(-decrease / 1000)));
    }

    @Test
    void picksThePlacementThatFragmentsLeast() {
        ClusterState state = new ClusterState();
        int idle = state.addNode(node("idle", 32, 2, "A100"));
        int partly = state.addNode(node("partly", 32, 2, "A100"));
        hold(state, share(100, 0, 400), partly, 0);
        FragmentationIndex index = new FragmentationIndex(state, HALF_SHARE_HALF_WHOLE);

        // F sums over typical tasks t (weight 0.5 each): all free milli when t cannot be hosted, else the
        // free milli of GPUs with less left than t needs on one GPU.
        // idle [1000, 1000]: share 500 strands 0, whole strands 0 -> F = 0
        // partly [600, 1000]: share strands 0, whole strands 600 -> F = 0.5 * 600 = 300
        assertThat(index.of(idle)).isCloseTo(0, within(1e-9));
        assertThat(index.of(partly)).isCloseTo(300, within(1e-9));
        assertThat(index.ofCluster()).isCloseTo(300, within(1e-9));

        FgdPolicy policy = new FgdPolicy(HALF_SHARE_HALF_WHOLE);
        PlacementRequest pod = state.prepare(share(1, 1_000, 500));
        // idle, GPU 0 -> [500, 1000]: share strands 0; whole strands 500 -> F 250; dF = -250 -> 100 * s(-0.25) = 43.8 -> 43
        //   (GPU 1 gives the same, so GPU 0)
        // partly, GPU 0 -> [100, 1000]: share strands 100, whole strands 100 -> F 100; dF = 200 -> 100 * s(0.2) = 54.98 -> 54
        // partly, GPU 1 -> [600, 500]: share strands 0; whole cannot be hosted -> 0.5 * 1100 = 550; dF = -250 -> 43
        assertThat(sigmoidScore(-250)).isEqualTo(43);
        assertThat(sigmoidScore(200)).isEqualTo(54);
        assertThat(policy.score(state, pod, idle)).isEqualTo(43);
        assertThat(policy.score(state, pod, partly)).isEqualTo(54);
        assertThat(policy.chooseGpus(state, pod, idle)).isEqualTo(mask(0));
        assertThat(policy.chooseGpus(state, pod, partly)).isEqualTo(mask(0));

        PlacementResult result = new PodPlacer(state, new FgdPolicy(HALF_SHARE_HALF_WHOLE), TieBreak.fixedRank(1)).decide(pod);
        assertThat(result.node()).isEqualTo(partly);
        assertThat(result.gpuMask()).isEqualTo(mask(0));
        assertThat(result.score()).isEqualTo(54);
    }

    @Test
    void wholeGpuAndCpuOnlyPodsScoreByTheirOnlyPlacement() {
        ClusterState state = new ClusterState();
        int idle = state.addNode(node("idle", 32, 2, "A100"));
        int partly = state.addNode(node("partly", 32, 2, "A100"));
        hold(state, share(100, 0, 400), partly, 0);
        FgdPolicy policy = new FgdPolicy(HALF_SHARE_HALF_WHOLE);
        PlacementRequest oneGpu = state.prepare(whole(1, 1_000, 1));

        // idle -> [0, 1000]: nothing stranded, F 0 -> dF 0 -> 50
        // partly -> GPU 1, [600, 0]: share strands 0; whole cannot be hosted -> 0.5 * 600 = 300 -> dF 0 -> 50
        assertThat(policy.score(state, oneGpu, idle)).isEqualTo(50);
        assertThat(policy.score(state, oneGpu, partly)).isEqualTo(50);
        assertThat(policy.chooseGpus(state, oneGpu, partly)).isEqualTo(mask(1));
        assertThat(policy.chooseGpus(state, oneGpu, idle)).isEqualTo(mask(0));

        PlacementRequest cpu = state.prepare(cpuOnly(2, 31_500));
        // partly with 500 milli-cores left: both typical tasks now lack CPU -> F = 0.5 * 1600 * 2 = 1600; dF = -1300
        // 100 * s(-1.3) = 21.4 -> 21
        assertThat(policy.score(state, cpu, partly)).isEqualTo(sigmoidScore(-1300)).isEqualTo(21);
        assertThat(policy.chooseGpus(state, cpu, partly)).isZero();
    }

    @Test
    void gpuTiesAreOnTheTruncatedScoreLowestIndexWins() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 32, 2, "T4"));
        hold(state, share(100, 0, 200), n, 0);
        hold(state, share(101, 0, 300), n, 1);
        FragmentationIndex index = new FragmentationIndex(state, MOSTLY_CPU);
        FgdPolicy policy = new FgdPolicy(MOSTLY_CPU);
        PlacementRequest pod = state.prepare(share(1, 1_000, 100));

        // free [800, 700]; CPU-only task (0.98) strands everything; share 750 (0.02) is hostable on GPU 0 and
        // strands GPU 1's 700: F = 0.98 * 1500 + 0.02 * 700 = 1484
        assertThat(index.of(n)).isCloseTo(1484, within(1e-9));
        // GPU 0 -> [700, 700]: 0.98 * 1400 + share 750 no longer hostable 0.02 * 1400 = 1400; dF 84 -> 52.099 -> 52
        // GPU 1 -> [800, 600]: 0.98 * 1400 + 0.02 * 600 = 1384;                               dF 100 -> 52.498 -> 52
        // GPU 1 is better as a float, but the integers tie, so the lowest index wins (tightest fit would say GPU 1)
        assertThat(policy.score(state, pod, n)).isEqualTo(52);
        assertThat(policy.chooseGpus(state, pod, n)).isEqualTo(mask(0));
        assertThat(new BestFitPolicy().chooseGpus(state, pod, n)).isEqualTo(mask(1));
    }

    @Test
    void tasksThatCannotUseTheNodeCountAllItsFreeGpu() {
        ClusterState state = new ClusterState();
        int a100 = state.addNode(node("a100", 32, 2, "A100"));
        int cpuOnly = state.addNode(node("cpu", 32, 0, ""));
        TaskShapeDistribution dist = TaskShapeDistribution.of(Map.of(
                new TaskShape(1_000, 0, 500, Set.of("T4")), 1.0,     // wrong model
                new TaskShape(64_000, 1, 0, Set.of()), 1.0));       // more CPU than the node has
        FragmentationIndex index = new FragmentationIndex(state, dist);

        // both tasks: all 2000 free milli, weight 0.5 each -> 2000; a node without GPUs has nothing to fragment
        assertThat(index.of(a100)).isCloseTo(2000, within(1e-9));
        assertThat(index.of(cpuOnly)).isZero();
        assertThat(index.ofCluster()).isCloseTo(2000, within(1e-9));
    }

    @Test
    void noTypicalTasksMeansEveryPlacementScoresFifty() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 32, 4, "A100"));
        FgdPolicy policy = new FgdPolicy(TaskShapeDistribution.EMPTY);

        assertThat(policy.score(state, state.prepare(share(1, 0, 10)), n)).isEqualTo(50);
        assertThat(policy.score(state, state.prepare(whole(2, 0, 4)), n)).isEqualTo(50);
    }

    @Test
    void cachedScoreFollowsTheNodeVersion() {
        ClusterState state = new ClusterState();
        int idle = state.addNode(node("idle", 32, 2, "A100"));
        FgdPolicy policy = new FgdPolicy(HALF_SHARE_HALF_WHOLE);
        PlacementRequest pod = state.prepare(share(1, 1_000, 500));
        assertThat(policy.score(state, pod, idle)).isEqualTo(43);
        assertThat(policy.score(state, pod, idle)).isEqualTo(43);

        hold(state, share(100, 0, 400), idle, 1);
        // now [1000, 600], like "partly" above with the GPUs swapped: GPU 1 -> 54
        assertThat(policy.score(state, pod, idle)).isEqualTo(54);
        assertThat(policy.chooseGpus(state, pod, idle)).isEqualTo(mask(1));

        ClusterState other = new ClusterState();
        int fresh = other.addNode(node("idle", 32, 2, "A100"));
        assertThat(policy.score(other, other.prepare(share(1, 1_000, 500)), fresh)).as("a new state starts afresh").isEqualTo(43);
    }
}
