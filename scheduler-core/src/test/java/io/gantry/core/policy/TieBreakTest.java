package io.gantry.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TieBreakTest {

    private static int lowestRanked(long seed, int[] nodes) {
        int best = nodes[0];
        for (int node : nodes) {
            if (Long.compareUnsigned(TieBreak.rank(seed, node), TieBreak.rank(seed, best)) < 0) {
                best = node;
            }
        }
        return best;
    }

    @Test
    void fixedRankResolvesEqualScoresByRank() {
        int[] nodes = {0, 1, 2, 3, 4};
        int[] scores = {10, 10, 10, 10, 10};
        for (long seed = 0; seed < 20; seed++) {
            int chosen = nodes[TieBreak.fixedRank(seed).best(nodes, scores, 5)];
            assertThat(chosen).as("seed %d", seed).isEqualTo(lowestRanked(seed, nodes));
        }
    }

    @Test
    void fixedRankOnlyBreaksTies() {
        long seed = 42;
        int[] nodes = {0, 1, 2, 3, 4};
        int worst = nodes[0];
        for (int node : nodes) {
            if (Long.compareUnsigned(TieBreak.rank(seed, node), TieBreak.rank(seed, worst)) > 0) {
                worst = node;
            }
        }
        int[] scores = {10, 10, 10, 10, 10};
        scores[worst] = 11;

        assertThat(nodes[TieBreak.fixedRank(seed).best(nodes, scores, 5)]).isEqualTo(worst);
        assertThat(TieBreak.fixedRank(seed).best(new int[] {3}, new int[] {0}, 1)).isZero();
    }

    @Test
    void fixedRankIsTheSameForTheSameSeedWhateverTheOrder() {
        int[] nodes = {7, 3, 9, 1, 12, 5};
        int[] reversed = {5, 12, 1, 9, 3, 7};
        int[] scores = {1, 1, 1, 1, 1, 1};
        Set<Integer> chosenAcrossSeeds = new HashSet<>();
        for (long seed = 0; seed < 50; seed++) {
            int a = nodes[TieBreak.fixedRank(seed).best(nodes, scores, 6)];
            int b = reversed[TieBreak.fixedRank(seed).best(reversed, scores, 6)];
            TieBreak same = TieBreak.fixedRank(seed);
            assertThat(b).isEqualTo(a);
            assertThat(nodes[same.best(nodes, scores, 6)]).as("no state between decisions").isEqualTo(a);
            assertThat(nodes[same.best(nodes, scores, 6)]).isEqualTo(a);
            chosenAcrossSeeds.add(a);
        }
        assertThat(chosenAcrossSeeds).as("the seed changes the ranking").hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void ranksOfDifferentNodesDiffer() {
        Set<Long> ranks = new HashSet<>();
        for (int node = 0; node < 10_000; node++) {
            ranks.add(TieBreak.rank(1234, node));
        }
        assertThat(ranks).hasSize(10_000);
        assertThat(TieBreak.rank(1, 5)).isEqualTo(TieBreak.rank(1, 5)).isNotEqualTo(TieBreak.rank(2, 5));
    }

    @Test
    void perDecisionRandomCoversEveryTiedNodeAndNothingElse() {
        int[] nodes = {10, 11, 12, 13, 14};
        int[] scores = {7, 9, 9, 3, 9};
        TieBreak tieBreak = TieBreak.perDecisionRandom(5);
        int[] counts = new int[5];
        for (int i = 0; i < 3_000; i++) {
            counts[tieBreak.best(nodes, scores, 5)]++;
        }

        assertThat(counts[0]).isZero();
        assertThat(counts[3]).isZero();
        for (int i : new int[] {1, 2, 4}) {
            assertThat(counts[i]).as("index %d", i).isBetween(850, 1_150);
        }
    }

    @Test
    void perDecisionRandomIsReproducibleFromItsSeed() {
        int[] nodes = {0, 1, 2, 3};
        int[] scores = {5, 5, 5, 5};
        TieBreak a = TieBreak.perDecisionRandom(77);
        TieBreak b = TieBreak.perDecisionRandom(77);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            int chosen = a.best(nodes, scores, 4);
            assertThat(b.best(nodes, scores, 4)).isEqualTo(chosen);
            seen.add(chosen);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void names() {
        assertThat(TieBreak.fixedRank(0).name()).isEqualTo("fixed-rank");
        assertThat(TieBreak.perDecisionRandom(0).name()).isEqualTo("random");
    }
}
