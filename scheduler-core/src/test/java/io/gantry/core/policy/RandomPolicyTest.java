package io.gantry.core.policy;

import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.mask;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.placement.PodPlacer;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomPolicyTest {

    /** n0, n2, n3 have 8 cores free; n1 has 1 core, too little for the 4-core pods below. */
    private static ClusterState fourNodes() {
        ClusterState state = new ClusterState();
        state.addNode(node("n0", 8, 0, ""));
        state.addNode(node("n1", 1, 0, ""));
        state.addNode(node("n2", 8, 0, ""));
        state.addNode(node("n3", 8, 0, ""));
        return state;
    }

    @Test
    void nodeIsTheSeededUniformDrawOverTheFeasibleNodes() {
        for (long seed = 0; seed < 20; seed++) {
            ClusterState state = fourNodes();
            PodPlacer placer = new PodPlacer(state, new RandomPolicy(seed), TieBreak.fixedRank(0));

            // CPU-only pods are candidates in node id order; feasible = [n0, n2, n3]; the policy draws nextInt(3)
            int[] feasible = {0, 2, 3};
            int expected = feasible[new SplittableRandom(seed).nextInt(3)];
            assertThat(placer.decide(state.prepare(cpuOnly(1, 4_000))).node()).as("seed %d", seed).isEqualTo(expected);
        }
    }

    @Test
    void everyFeasibleNodeIsChosenAboutEquallyOften() {
        ClusterState state = fourNodes();
        PodPlacer placer = new PodPlacer(state, new RandomPolicy(7), TieBreak.fixedRank(0));
        PlacementRequest pod = state.prepare(cpuOnly(1, 4_000));
        int[] counts = new int[4];
        for (int i = 0; i < 9_000; i++) {
            counts[placer.decide(pod).node()]++;
        }

        assertThat(counts[1]).isZero();
        for (int n : new int[] {0, 2, 3}) {
            assertThat(counts[n]).as("node %d", n).isBetween(2_700, 3_300);
        }
    }

    @Test
    void shareGoesToAUniformlyRandomFittingGpu() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 8, 4, "T4"));
        hold(state, share(100, 0, 800), n, 1); // GPU 1 has 200 left, too little for 300
        hold(state, share(101, 0, 500), n, 2);
        RandomPolicy policy = new RandomPolicy(3);
        PlacementRequest pod = state.prepare(share(1, 0, 300));
        int[] counts = new int[4];
        for (int i = 0; i < 3_000; i++) {
            counts[Integer.numberOfTrailingZeros(policy.chooseGpus(state, pod, n))]++;
        }

        assertThat(counts[1]).isZero();
        for (int g : new int[] {0, 2, 3}) {
            assertThat(counts[g]).as("GPU %d", g).isBetween(850, 1_150);
        }
    }

    @Test
    void shareGpuIsTheReservoirDrawAfterTheNodeDraw() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 8, 4, "T4"));
        hold(state, share(100, 0, 800), n, 1);
        PlacementRequest pod = state.prepare(share(1, 0, 300));
        for (long seed = 0; seed < 10; seed++) {
            // one feasible node: nextInt(1); then GPU g of the fitting [0, 2, 3] is kept when nextInt(++seen) == 0
            SplittableRandom r = new SplittableRandom(seed);
            r.nextInt(1);
            int expected = -1;
            int seen = 0;
            for (int g : new int[] {0, 2, 3}) {
                if (r.nextInt(++seen) == 0) {
                    expected = g;
                }
            }
            PodPlacer placer = new PodPlacer(state, new RandomPolicy(seed), TieBreak.fixedRank(0));
            assertThat(placer.decide(pod).gpuMask()).as("seed %d", seed).isEqualTo(mask(expected));
        }
    }

    @Test
    void wholeGpusTakeTheLowestFreeIndexes() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 8, 4, "T4"));
        hold(state, share(100, 0, 100), n, 0);
        hold(state, whole(101, 0, 1), n, 2);
        RandomPolicy policy = new RandomPolicy(99);

        for (int i = 0; i < 20; i++) {
            assertThat(policy.chooseGpus(state, state.prepare(whole(1, 0, 2)), n)).isEqualTo(mask(1, 3));
        }
        assertThat(policy.chooseGpus(state, state.prepare(cpuOnly(2, 0)), n)).isZero();
        assertThat(policy.score(state, state.prepare(cpuOnly(2, 0)), n)).isZero();
    }
}
