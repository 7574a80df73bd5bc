package io.gantry.core.policy;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

import java.util.SplittableRandom;

/** A uniformly random feasible node and a random fitting GPU on it, from a seeded generator: the paper's floor. */
final class RandomPolicy implements PlacementPolicy {
    private final SplittableRandom random;

    RandomPolicy(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public int score(ClusterState state, PlacementRequest pod, int node) {
        return 0;
    }

    @Override
    public boolean needsEveryNode() {
        return true;
    }

    @Override
    public int chooseNode(int[] nodes, int[] scores, int count, TieBreak tieBreak) {
        return random.nextInt(count);
    }

    @Override
    public int chooseGpus(ClusterState state, PlacementRequest pod, int node) {
        return GpuPicks.random(state, pod, node, random);
    }
}
