package io.gantry.simulator.inflation;

import io.gantry.simulator.trace.TracePod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InflationTunerTest {

    private static TracePod pod(String name, int numGpu, int gpuMilli) {
        return new TracePod(name, 1000, 1024, numGpu, gpuMilli, Set.of(), "", "", -1, -1, -1);
    }

    private static long demand(List<TracePod> pods) {
        return pods.stream().mapToLong(TracePod::totalGpuMilli).sum();
    }

    @Test
    void appendsCopiesUntilTheNextWouldPassTheTargetByItsPerGpuMilli() {
        // one pod of 500 milli; capacity 1000 milli, target 1.3 -> 1300 milli.
        // start 500; copy: 500+500 <= 1300 -> 1000; copy: 1000+500 > 1300 -> stop. Exactly 2 pods.
        List<TracePod> population = List.of(pod("a", 1, 500));
        List<TracePod> arrivals = InflationTuner.arrivals(population, 1000, 1.3, new SplittableRandom(7));
        assertThat(arrivals).hasSize(2);
        assertThat(demand(arrivals)).isEqualTo(1000);
    }

    @Test
    void stopTestUsesPerGpuMilliSoAWholeGpuCopyMayPassTheTarget() {
        // one 4-GPU pod (per-GPU milli 1000, total 4000); capacity 10000, target 1.3 -> 13000.
        // 4000 -> 8000 (4000+1000 <= 13000) -> 12000 (8000+1000 <= 13000) -> 16000 (12000+1000 <= 13000)
        // -> stop (16000+1000 > 13000). The artifact's quirk: the total ends above the target.
        List<TracePod> population = List.of(pod("a", 4, 1000));
        List<TracePod> arrivals = InflationTuner.arrivals(population, 10_000, 1.3, new SplittableRandom(1));
        assertThat(arrivals).hasSize(4);
        assertThat(demand(arrivals)).isEqualTo(16_000);
    }

    @Test
    void removesRandomPodsWhenDemandIsAboveTheTarget() {
        List<TracePod> population = List.of(pod("a", 1, 1000), pod("b", 1, 1000), pod("c", 1, 1000), pod("d", 1, 1000), pod("e", 2, 1000));
        // demand 6000, capacity 3000, target 1.0 -> remove until <= 3000
        List<TracePod> arrivals = InflationTuner.arrivals(population, 3000, 1.0, new SplittableRandom(3));
        assertThat(demand(arrivals)).isLessThanOrEqualTo(3000).isGreaterThanOrEqualTo(1000);
        assertThat(population).containsAll(arrivals);
    }

    @Test
    void originalsAreShuffledAndComeFirstThenCopies() {
        List<TracePod> population = List.of(pod("a", 1, 100), pod("b", 1, 200), pod("c", 1, 300), pod("d", 1, 400));
        List<TracePod> arrivals = InflationTuner.arrivals(population, 10_000, 1.3, new SplittableRandom(11));
        assertThat(arrivals.subList(0, 4)).containsExactlyInAnyOrderElementsOf(population);
        assertThat(arrivals.size()).isGreaterThan(4);
        // 13000 target: the last appended copy fit, and every pod is 100..400 milli
        assertThat(demand(arrivals)).isLessThanOrEqualTo(13_000).isGreaterThan(13_000 - 400);
    }

    @Test
    void sameSeedSameSequenceOtherSeedOtherOrder() {
        List<TracePod> population = List.of(pod("a", 1, 100), pod("b", 1, 200), pod("c", 1, 300), pod("d", 1, 400), pod("e", 1, 500));
        List<TracePod> one = InflationTuner.arrivals(population, 5_000, 1.3, new SplittableRandom(42));
        List<TracePod> two = InflationTuner.arrivals(population, 5_000, 1.3, new SplittableRandom(42));
        List<TracePod> other = InflationTuner.arrivals(population, 5_000, 1.3, new SplittableRandom(43));
        assertThat(one).isEqualTo(two);
        assertThat(other).isNotEqualTo(one);
    }

    @Test
    void rejectsAnEmptyPopulationAndABadTarget() {
        assertThatThrownBy(() -> InflationTuner.arrivals(List.of(), 1000, 1.3, new SplittableRandom(1)))
                .hasMessageContaining("no pods");
        assertThatThrownBy(() -> InflationTuner.arrivals(List.of(pod("a", 1, 500)), 1000, 0, new SplittableRandom(1)))
                .hasMessageContaining("--inflate-to");
    }
}
