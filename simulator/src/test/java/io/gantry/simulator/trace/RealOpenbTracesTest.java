package io.gantry.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads the published Alibaba openb files from the shared traces folder: the system property
 * {@code gantry.traces} (set by the parent pom), else {@code ../../shared/traces} relative to the module.
 * Skips when the folder is absent, since the traces are never copied into the project.
 */
class RealOpenbTracesTest {

    private static final Path TRACES = Path.of(System.getProperty("gantry.traces", "../../shared/traces"));
    private static final Path OPENB = TRACES.resolve("alibaba-openb");

    /** Pods per published pod list, counted independently of this reader (data lines of each file). */
    private static final Map<String, Integer> POD_COUNTS = Map.ofEntries(
            Map.entry("openb_pod_list_default.csv", 8_152),
            Map.entry("openb_pod_list_cpu037.csv", 7_336),
            Map.entry("openb_pod_list_cpu050.csv", 7_439),
            Map.entry("openb_pod_list_cpu200.csv", 8_832),
            Map.entry("openb_pod_list_cpu235.csv", 9_240),
            Map.entry("openb_pod_list_gpushare20.csv", 8_152),
            Map.entry("openb_pod_list_gpushare60.csv", 8_152),
            Map.entry("openb_pod_list_gpushare100.csv", 8_152),
            Map.entry("openb_pod_list_gpuspec10.csv", 8_152),
            Map.entry("openb_pod_list_gpuspec25.csv", 8_152),
            Map.entry("openb_pod_list_multigpu20.csv", 8_324),
            Map.entry("openb_pod_list_multigpu40.csv", 8_746));

    @BeforeEach
    void requireTheSharedTraces() {
        assumeTrue(Files.isDirectory(OPENB), () -> "skipping: ../shared/traces is absent (looked for "
                + OPENB.toAbsolutePath().normalize() + "; set -Dgantry.traces=<folder holding alibaba-openb/>)");
    }

    @Test
    void gpuNodeListHas1213NodesWith6212Gpus() throws IOException {
        TraceReadResult<TraceNode> result = new OpenbNodeReader().read(OPENB.resolve("openb_node_list_gpu_node.csv"));

        assertThat(result.isClean()).isTrue();
        assertThat(result.items()).hasSize(1_213).allMatch(node -> node.gpus() > 0);
        assertThat(result.items().stream().mapToInt(TraceNode::gpus).sum()).isEqualTo(6_212);
        assertThat(result.items()).extracting(TraceNode::gpuModel)
                .containsOnly("P100", "T4", "V100M16", "V100M32", "A10", "G2", "G3");
    }

    @Test
    void allNodeListAddsCpuOnlyNodesToTheSameGpus() throws IOException {
        TraceReadResult<TraceNode> result = new OpenbNodeReader().read(OPENB.resolve("openb_node_list_all_node.csv"));

        assertThat(result.isClean()).isTrue();
        assertThat(result.items()).hasSize(1_523);
        assertThat(result.items()).filteredOn(node -> node.gpus() == 0).hasSize(310);
        assertThat(result.items().stream().mapToInt(TraceNode::gpus).sum()).isEqualTo(6_212);
    }

    @Test
    void defaultPodListHas8152PodsWithTheDocumentedGpuMix() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader().read(OPENB.resolve("openb_pod_list_default.csv"));

        assertThat(result.isClean()).isTrue();
        assertThat(result.items()).hasSize(8_152);
        Map<Integer, Long> podsByGpuCount = result.items().stream()
                .collect(Collectors.groupingBy(TracePod::numGpu, Collectors.counting()));
        assertThat(podsByGpuCount).containsExactlyInAnyOrderEntriesOf(
                Map.of(0, 1_088L, 1, 6_989L, 2, 16L, 4, 15L, 8, 44L));
        assertThat(result.items()).filteredOn(TracePod::isFractionalGpu).hasSize(6_989 - 3_911);
        // Pending pods were never scheduled: openb leaves their scheduled_time empty.
        assertThat(result.items()).filteredOn(pod -> pod.scheduledTime() == TracePod.UNKNOWN_TIME)
                .hasSize(897)
                .allMatch(pod -> pod.phase().equals("Pending"));
        assertThat(result.items()).allMatch(pod -> pod.creationTime() >= 0 && pod.deletionTime() >= pod.creationTime());
    }

    @Test
    void gpuSpecListsWithRepeatedModelsCollapseIntoSets() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader().read(OPENB.resolve("openb_pod_list_gpuspec25.csv"));

        // The file writes some lists with a repeated model, e.g. "V100M16|V100M32|V100M32".
        assertThat(result.items()).filteredOn(pod -> !pod.gpuSpec().isEmpty()).hasSize(1_759);
        assertThat(result.items()).extracting(TracePod::gpuSpec).contains(Set.of("V100M16", "V100M32"));
    }

    @Test
    void multigpuVariantsHaveOnlyFiveColumnsSoNoTimes() throws IOException {
        TraceReadResult<TracePod> result = new OpenbPodReader().read(OPENB.resolve("openb_pod_list_multigpu40.csv"));

        assertThat(result.items()).allMatch(pod -> pod.creationTime() == TracePod.UNKNOWN_TIME
                && pod.deletionTime() == TracePod.UNKNOWN_TIME && pod.qos().isEmpty());
        assertThat(result.items()).filteredOn(pod -> pod.numGpu() > 1).hasSize(156 + 154 + 359);
    }

    @TestFactory
    Stream<DynamicTest> everyPublishedPodListParsesStrictlyWithNoBadLine() throws IOException {
        Map<String, Path> podLists;
        try (Stream<Path> files = Files.list(OPENB)) {
            podLists = files.filter(file -> file.getFileName().toString().matches("openb_pod_list_.*\\.csv"))
                    .collect(Collectors.toMap(file -> file.getFileName().toString(), Function.identity()));
        }
        assertThat(podLists).containsOnlyKeys(POD_COUNTS.keySet());
        return podLists.keySet().stream().sorted().map(name -> DynamicTest.dynamicTest(name, () -> {
            TraceReadResult<TracePod> result = new OpenbPodReader().read(podLists.get(name));

            assertThat(result.skippedLines()).isZero();
            assertThat(result.items()).hasSize(POD_COUNTS.get(name));
        }));
    }
}
