package io.gantry.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class PoliciesTest {

    @ParameterizedTest
    @FieldSource("io.gantry.core.policy.Policies#ALL")
    void everyNameBuildsAFreshPolicyOfThatName(String name) {
        PlacementPolicy a = Policies.create(name, PolicyContext.of(1));
        PlacementPolicy b = Policies.create(name, PolicyContext.of(1));

        assertThat(a.name()).isEqualTo(name);
        assertThat(a).isNotSameAs(b);
    }

    @Test
    void namesAreCaseInsensitive() {
        assertThat(Policies.create("BestFit", PolicyContext.of(1))).isInstanceOf(BestFitPolicy.class);
        assertThat(Policies.create("FGD", PolicyContext.of(1))).isInstanceOf(FgdPolicy.class);
    }

    @Test
    void unknownNameIsRejectedWithTheKnownOnes() {
        assertThatThrownBy(() -> Policies.create("tetris", PolicyContext.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown policy \"tetris\"; known: random, dotprod, gpuclustering, gpupacking, bestfit, fgd, spread");
    }

    @Test
    void paperPoliciesAreAmongAll() {
        assertThat(Policies.ALL).containsAll(Policies.PAPER).doesNotHaveDuplicates();
        assertThat(Policies.PAPER).containsExactly("random", "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd");
    }

    @Test
    void contextNeedsTaskShapes() {
        assertThat(PolicyContext.of(9).taskShapes()).isSameAs(TaskShapeDistribution.EMPTY);
        assertThatThrownBy(() -> new PolicyContext(1, null)).isInstanceOf(NullPointerException.class);
    }
}
