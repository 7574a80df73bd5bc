package io.gantry.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gantry.core.model.InvalidSpecException;
import io.gantry.core.model.ResourceRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskShapeDistributionTest {
    private static final TaskShape A = new TaskShape(4_000, 0, 500, Set.of());
    private static final TaskShape B = new TaskShape(8_000, 1, 0, Set.of());
    private static final TaskShape C = new TaskShape(2_000, 0, 0, Set.of());
    private static final TaskShape D = new TaskShape(16_000, 8, 0, Set.of("A100"));
    private static final TaskShape E = new TaskShape(1_000, 0, 250, Set.of("T4"));

    private static List<TaskShape> tasks(Object... shapesAndCounts) {
        List<TaskShape> out = new ArrayList<>();
        for (int i = 0; i < shapesAndCounts.length; i += 2) {
            for (int k = 0; k < (Integer) shapesAndCounts[i + 1]; k++) {
                out.add((TaskShape) shapesAndCounts[i]);
            }
        }
        return out;
    }

    @Test
    void groupThatCrossesTheCutoffIsIncludedAndWeightsAreRenormalised() {
        // 100 tasks; 95% = 95: cumulative 50, 80, 94 (< 95, go on), 98 (stop): D is in, E is out
        TaskShapeDistribution d = TaskShapeDistribution.typical(tasks(A, 50, B, 30, C, 14, D, 4, E, 2), 0.95);

        assertThat(d.shapes()).containsExactly(A, B, C, D);
        assertThat(d.weight(0)).isCloseTo(50 / 98.0, within(1e-12));
        assertThat(d.weight(1)).isCloseTo(30 / 98.0, within(1e-12));
        assertThat(d.weight(2)).isCloseTo(14 / 98.0, within(1e-12));
        assertThat(d.weight(3)).isCloseTo(4 / 98.0, within(1e-12));
        assertThat(d.weight(0) + d.weight(1) + d.weight(2) + d.weight(3)).isCloseTo(1, within(1e-12));
        assertThat(d.size()).isEqualTo(4);
    }

    @Test
    void groupReachingTheCutoffExactlyEndsIt() {
        // cumulative 50, 80, 95: 95 >= 95 stops before D
        TaskShapeDistribution d = TaskShapeDistribution.typical(tasks(A, 50, B, 30, C, 15, D, 3, E, 2), 0.95);

        assertThat(d.shapes()).containsExactly(A, B, C);
        assertThat(d.weight(2)).isCloseTo(15 / 95.0, within(1e-12));
    }

    @Test
    void tiesAreOrderedByShapeWhateverTheInputOrder() {
        // 10 tasks, coverage 0.5 = 5: three groups of 3 tie; the first two in the fixed order (CPU, GPUs, share,
        // models) are kept: C (2000 CPU) and A (4000 CPU), not B (8000 CPU)
        List<TaskShape> input = tasks(B, 3, A, 3, C, 3, E, 1);
        Random random = new Random(5);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(input, random);
            TaskShapeDistribution d = TaskShapeDistribution.typical(input, 0.5);
            assertThat(d.shapes()).containsExactly(C, A);
            assertThat(d.weight(0)).isEqualTo(0.5);
        }
    }

    @Test
    void fullCoverageKeepsEveryGroupMostFrequentFirst() {
        TaskShapeDistribution d = TaskShapeDistribution.typical(tasks(E, 1, A, 2, B, 5), 1.0);

        assertThat(d.shapes()).containsExactly(B, A, E);
        assertThat(d.weight(0)).isCloseTo(5 / 8.0, within(1e-12));
    }

    @Test
    void badCoverageAndEmptyInput() {
        assertThatThrownBy(() -> TaskShapeDistribution.typical(List.of(A), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> TaskShapeDistribution.typical(List.of(A), 1.01)).isInstanceOf(IllegalArgumentException.class);
        assertThat(TaskShapeDistribution.typical(List.of(), 0.95).isEmpty()).isTrue();
    }

    @Test
    void explicitWeightsAreNormalisedAndSorted() {
        TaskShapeDistribution d = TaskShapeDistribution.of(Map.of(B, 3.0, C, 1.0));

        assertThat(d.shapes()).containsExactly(C, B);
        assertThat(d.weight(0)).isEqualTo(0.25);
        assertThat(d.weight(1)).isEqualTo(0.75);
        assertThatThrownBy(() -> TaskShapeDistribution.of(Map.of(A, 0.0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskShapeDistribution.of(Map.of(A, 2.0, B, -1.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
    }

    @Test
    void taskShapeValidatesLikeARequest() {
        assertThatThrownBy(() -> new TaskShape(0, 2, 500, Set.of())).isInstanceOf(InvalidSpecException.class);
        assertThat(TaskShape.of(ResourceRequest.gpuShare(100, 999, 300), Set.of("T4"))).isEqualTo(new TaskShape(100, 0, 300, Set.of("T4")));
        assertThat(A.asksGpu()).isTrue();
        assertThat(C.asksGpu()).isFalse();
        assertThat(D.toString()).isEqualTo("16000m CPU, 8 GPU A100");
        assertThat(new TaskShape(1, 0, 0, Set.of("b", "a")).toString()).isEqualTo("1m CPU, no GPU a|b");
    }
}
