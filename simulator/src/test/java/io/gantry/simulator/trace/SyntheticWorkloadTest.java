package io.gantry.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.gantry.simulator.trace.SyntheticWorkload.Config;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyntheticWorkloadTest {

    private static final SyntheticWorkload DEFAULT = SyntheticWorkload.generate(Config.defaults());

    @Test
    void sameConfigGivesIdenticalOutput() {
        SyntheticWorkload again = SyntheticWorkload.generate(Config.defaults());

        assertThat(again.nodes()).isEqualTo(DEFAULT.nodes());
        assertThat(again.pods()).isEqualTo(DEFAULT.pods());
        assertThat(again.config()).isEqualTo(DEFAULT.config());
    }

    @Test
    void differentSeedsGiveDifferentOutput() {
        SyntheticWorkload other = SyntheticWorkload.generate(Config.defaults().withSeed(2));

        assertThat(other.nodes()).isNotEqualTo(DEFAULT.nodes());
        assertThat(other.pods()).isNotEqualTo(DEFAULT.pods());
    }

    @Test
    void podCountChangesNeitherTheClusterNorTheEarlierPods() {
        SyntheticWorkload small = SyntheticWorkload.generate(Config.defaults().withPodCount(100));

        assertThat(small.nodes()).isEqualTo(DEFAULT.nodes());
        assertThat(small.pods()).isEqualTo(DEFAULT.pods().subList(0, 100));
    }

    @Test
    void defaultClusterLooksLikeAProductionGpuCluster() {
        List<TraceNode> nodes = DEFAULT.nodes();

        assertThat(nodes).hasSize(1_000);
        assertThat(nodes.get(0).name()).isEqualTo("syn-node-0000");
        assertThat(share(nodes, node -> node.gpus() == 0)).isCloseTo(0.10, within(0.03));
        assertThat(nodes).extracting(TraceNode::gpuModel).containsOnly("", "A100", "V100M32", "V100M16", "T4", "A10", "P100");
        assertThat(nodes).extracting(TraceNode::gpus).containsOnly(0, 2, 4, 8);
        int gpus = nodes.stream().mapToInt(TraceNode::gpus).sum();
        assertThat(gpus).isBetween(3_700, 4_400);
        assertThat(nodes).filteredOn(node -> node.gpuModel().equals("A100"))
                .allSatisfy(node -> assertThat(node).isEqualTo(new TraceNode(node.name(), 96_000, 786_432, 8, "A100")));
    }

    @Test
    void defaultPodMixFollowsTheConfiguredShares() {
        List<TracePod> pods = DEFAULT.pods();
        Config config = DEFAULT.config();

        assertThat(pods).hasSize(10_000);
        assertThat(pods.get(0).name()).isEqualTo("syn-pod-00000");
        assertThat(share(pods, TracePod::isCpuOnly)).isCloseTo(config.cpuOnlyPodShare(), within(0.015));
        assertThat(share(pods, TracePod::isFractionalGpu)).isCloseTo(config.fractionalGpuPodShare(), within(0.02));
        assertThat(share(pods, pod -> pod.numGpu() > 1)).isCloseTo(config.multiGpuPodShare(), within(0.01));
        assertThat(share(pods, pod -> pod.numGpu() == 1 && pod.gpuMilli() == 1000))
                .isCloseTo(config.wholeGpuPodShare(), within(0.02));
        List<TracePod> gpuPods = pods.stream().filter(pod -> !pod.isCpuOnly()).toList();
        assertThat(share(gpuPods, pod -> !pod.gpuSpec().isEmpty()))
                .isCloseTo(config.gpuModelConstraintShare(), within(0.01));
    }

    @ParameterizedTest
    @ValueSource(longs = {3, 17, 2023, -9})
    void customMixIsRespectedWithinTolerance(long seed) {
        Config config = Config.defaults().withSeed(seed).withPodCount(20_000).withPodMix(0.3, 0.2, 0.25);

        List<TracePod> pods = SyntheticWorkload.generate(config).pods();

        assertThat(share(pods, TracePod::isCpuOnly)).isCloseTo(0.3, within(0.015));
        assertThat(share(pods, TracePod::isFractionalGpu)).isCloseTo(0.2, within(0.015));
        assertThat(share(pods, pod -> pod.numGpu() > 1)).isCloseTo(0.25, within(0.015));
        assertThat(share(pods, pod -> pod.numGpu() == 1 && pod.gpuMilli() == 1000)).isCloseTo(0.25, within(0.015));
    }

    @Test
    void extremeMixesGiveOnlyOneKindOfPod() {
        Config small = Config.defaults().withPodCount(500);

        assertThat(SyntheticWorkload.generate(small.withPodMix(1, 0, 0)).pods()).allMatch(TracePod::isCpuOnly);
        assertThat(SyntheticWorkload.generate(small.withPodMix(0, 1, 0)).pods()).allMatch(TracePod::isFractionalGpu);
        assertThat(SyntheticWorkload.generate(small.withPodMix(0, 0, 1)).pods()).allMatch(pod -> pod.numGpu() > 1);
        assertThat(SyntheticWorkload.generate(small.withPodMix(0, 0, 0)).pods())
                .allMatch(pod -> pod.numGpu() == 1 && pod.gpuMilli() == 1000);
    }

    @Test
    void gpuRequestsComeFromRealisticSetsAndCpuGrowsWithGpus() {
        List<TracePod> pods = DEFAULT.pods();

        assertThat(pods).filteredOn(TracePod::isFractionalGpu).extracting(TracePod::gpuMilli)
                .containsOnly(100, 200, 250, 300, 400, 500, 700, 800);
        assertThat(pods).filteredOn(pod -> pod.numGpu() > 1).extracting(TracePod::numGpu).containsOnly(2, 4, 8);
        assertThat(pods).filteredOn(pod -> !pod.isCpuOnly()).allSatisfy(pod -> {
            double gpus = pod.totalGpuMilli() / 1000.0;
            assertThat(pod.cpuMilli()).isBetween(100L, (long) (12_000 * gpus) + 100);
            assertThat(pod.memoryMib()).isPositive();
        });
        double meanCpuOfEightGpuPods = pods.stream().filter(pod -> pod.numGpu() == 8)
                .mapToLong(TracePod::cpuMilli).average().orElseThrow();
        double meanCpuOfFractionalPods = pods.stream().filter(TracePod::isFractionalGpu)
                .mapToLong(TracePod::cpuMilli).average().orElseThrow();
        assertThat(meanCpuOfEightGpuPods).isGreaterThan(10 * meanCpuOfFractionalPods);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 5, 99, 123_456_789})
    void everyPodFitsOnAnEmptyNodeOfTheCluster(long seed) {
        SyntheticWorkload workload = SyntheticWorkload.generate(Config.defaults().withSeed(seed).withPodCount(3_000)
                .withPodMix(0.1, 0.3, 0.3));
        // Nodes of one kind are identical, so checking one node per kind is enough.
        Set<TraceNode> kinds = workload.nodes().stream()
                .map(node -> new TraceNode("kind", node.cpuMilli(), node.memoryMib(), node.gpus(), node.gpuModel()))
                .collect(Collectors.toSet());

        assertThat(workload.pods()).allSatisfy(pod -> assertThat(kinds)
                .as("a node kind that fits %s", pod)
                .anyMatch(node -> fits(pod, node)));
    }

    @Test
    void arrivalsAreAPoissonProcessAndDurationsHeavyTailed() {
        List<TracePod> pods = DEFAULT.pods();
        Config config = DEFAULT.config();

        for (int i = 1; i < pods.size(); i++) {
            assertThat(pods.get(i).creationTime()).isGreaterThanOrEqualTo(pods.get(i - 1).creationTime());
        }
        double meanGap = pods.get(pods.size() - 1).creationTime() / (double) (pods.size() - 1);
        assertThat(meanGap).isCloseTo(config.meanInterArrivalSeconds(), within(0.01));
        long[] durations = pods.stream().mapToLong(pod -> pod.deletionTime() - pod.creationTime()).sorted().toArray();
        assertThat(durations[0]).isPositive();
        assertThat(durations[durations.length - 1]).isLessThanOrEqualTo(SyntheticWorkload.MAX_DURATION_SECONDS);
        double median = durations[durations.length / 2];
        double p90 = durations[durations.length * 9 / 10];
        assertThat(median).isCloseTo(config.medianDurationSeconds(), within(60.0));
        // lognormal: p90 / p50 = exp(1.2816 * sigma), about 11 for sigma 1.9
        assertThat(p90 / median).isBetween(8.0, 15.0);
        assertThat(pods).allSatisfy(pod -> {
            assertThat(pod.phase()).isEqualTo("Pending");
            assertThat(pod.scheduledTime()).isEqualTo(TracePod.UNKNOWN_TIME);
            assertThat(pod.qos()).isIn("LS", "BE");
        });
    }

    @Test
    void defaultDemandClimbsTowardsTheClusterCapacityByTheLastArrival() {
        long lastArrival = DEFAULT.pods().get(DEFAULT.pods().size() - 1).creationTime();
        long liveGpuMilli = DEFAULT.pods().stream()
                .filter(pod -> pod.creationTime() <= lastArrival && pod.deletionTime() > lastArrival)
                .mapToLong(TracePod::totalGpuMilli).sum();
        long clusterGpuMilli = 1000L * DEFAULT.nodes().stream().mapToInt(TraceNode::gpus).sum();

        assertThat(liveGpuMilli / (double) clusterGpuMilli).isBetween(0.7, 1.0);
    }

    @Test
    void emptyWorkloadsAreAllowed() {
        SyntheticWorkload empty = SyntheticWorkload.generate(Config.defaults().withNodeCount(0).withPodCount(0));

        assertThat(empty.nodes()).isEmpty();
        assertThat(empty.pods()).isEmpty();
    }

    @Test
    void rejectsInvalidConfigsWithClearMessages() {
        Config defaults = Config.defaults();

        assertThatThrownBy(() -> defaults.withNodeCount(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SyntheticWorkload.Config: nodeCount must be >= 0, got -1");
        assertThatThrownBy(() -> defaults.withPodCount(-5))
                .hasMessage("SyntheticWorkload.Config: podCount must be >= 0, got -5");
        assertThatThrownBy(() -> defaults.withPodMix(0.5, 0.4, 0.2))
                .hasMessage("SyntheticWorkload.Config: pod shares must sum to at most 1, got cpuOnlyPodShare 0.5"
                        + " + fractionalGpuPodShare 0.4 + multiGpuPodShare 0.2 = 1.1");
        assertThatThrownBy(() -> defaults.withPodMix(-0.1, 0.4, 0.2))
                .hasMessage("SyntheticWorkload.Config: cpuOnlyPodShare must be a share in 0..1, got -0.1");
        assertThatThrownBy(() -> defaults.withPodMix(0.1, Double.NaN, 0.2))
                .hasMessage("SyntheticWorkload.Config: fractionalGpuPodShare must be a share in 0..1, got NaN");
        assertThatThrownBy(() -> new Config(1, 10, 1.5, 10, 0, 0, 0, 0, 1, 1, 1))
                .hasMessage("SyntheticWorkload.Config: cpuOnlyNodeShare must be a share in 0..1, got 1.5");
        assertThatThrownBy(() -> new Config(1, 10, 0, 10, 0, 0, 0, 0, 0, 1, 1))
                .hasMessage("SyntheticWorkload.Config: meanInterArrivalSeconds must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> new Config(1, 10, 0, 10, 0, 0, 0, 0, 1, Double.POSITIVE_INFINITY, 1))
                .hasMessage("SyntheticWorkload.Config: medianDurationSeconds must be a finite number > 0, got Infinity");
        assertThatThrownBy(() -> new Config(1, 10, 0, 10, 0, 0, 0, 0, 1, 1, -1))
                .hasMessage("SyntheticWorkload.Config: durationSigma must be a finite number >= 0, got -1.0");
        // Shares that add up to exactly 1 in decimal but not in binary are fine.
        assertThat(defaults.withPodMix(0.1, 0.2, 0.7).wholeGpuPodShare()).isCloseTo(0, within(1e-9));
    }

    private static boolean fits(TracePod pod, TraceNode node) {
        boolean modelAccepted = pod.isCpuOnly() || pod.gpuSpec().isEmpty() || pod.gpuSpec().contains(node.gpuModel());
        return modelAccepted && pod.numGpu() <= node.gpus() && pod.cpuMilli() <= node.cpuMilli()
                && pod.memoryMib() <= node.memoryMib();
    }

    private static <T> double share(List<T> items, Predicate<T> predicate) {
        return items.stream().filter(predicate).count() / (double) items.size();
    }
}
