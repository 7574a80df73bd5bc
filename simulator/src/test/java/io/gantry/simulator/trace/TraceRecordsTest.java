package io.gantry.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The records guard their invariants for every caller, not only for the readers. */
class TraceRecordsTest {

    private static TracePod pod(int numGpu, int gpuMilli) {
        return new TracePod("p", 1000, 1024, numGpu, gpuMilli, Set.of(), "LS", "Running", 1, 2, 1);
    }

    @Test
    void acceptsEveryLegalGpuCombination() {
        assertThat(pod(0, 0).isCpuOnly()).isTrue();
        assertThat(pod(1, 1).isFractionalGpu()).isTrue();
        assertThat(pod(1, 1000).isFractionalGpu()).isFalse();
        assertThat(pod(16, 1000).totalGpuMilli()).isEqualTo(16_000);
        assertThat(pod(1, 250).totalGpuMilli()).isEqualTo(250);
    }

    @Test
    void rejectsIllegalGpuCombinationsWithTheColumnAtFault() {
        assertThatThrownBy(() -> pod(17, 1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pod p: column num_gpu: expected an integer 0..16, got 17");
        assertThatThrownBy(() -> pod(-1, 0)).hasMessage("pod p: column num_gpu: expected an integer 0..16, got -1");
        assertThatThrownBy(() -> pod(1, 1001)).hasMessage("pod p: column gpu_milli: expected an integer 0..1000, got 1001");
        assertThatThrownBy(() -> pod(0, 5)).hasMessage("pod p: column gpu_milli: expected 0 when num_gpu is 0, got 5");
        assertThatThrownBy(() -> pod(1, 0)).hasMessage("pod p: column gpu_milli: expected 1..1000 when num_gpu is 1, got 0");
        assertThatThrownBy(() -> pod(4, 999))
                .hasMessage("pod p: column gpu_milli: expected 1000 when num_gpu is 4 (whole GPUs), got 999");
    }

    @Test
    void rejectsNegativeResourcesAndTimesOutOfOrder() {
        assertThatThrownBy(() -> new TracePod("p", -1, 0, 0, 0, Set.of(), "", "", -1, -1, -1))
                .hasMessage("pod p: column cpu_milli: expected a non-negative integer, got -1");
        assertThatThrownBy(() -> new TracePod("p", 0, -1, 0, 0, Set.of(), "", "", -1, -1, -1))
                .hasMessage("pod p: column memory_mib: expected a non-negative integer, got -1");
        assertThatThrownBy(() -> new TracePod("p", 0, 0, 0, 0, Set.of(), "", "", -2, -1, -1))
                .hasMessage("pod p: column creation_time: expected seconds >= 0, or -1 when unknown, got -2");
        assertThatThrownBy(() -> new TracePod("p", 0, 0, 0, 0, Set.of(), "", "", 10, 9, -1))
                .hasMessage("pod p: column deletion_time: expected a time >= creation_time 10, got 9");
        // Either time unknown: nothing to compare.
        assertThat(new TracePod("p", 0, 0, 0, 0, Set.of(), "", "", -1, 9, -1).deletionTime()).isEqualTo(9);
        assertThat(new TracePod("p", 0, 0, 0, 0, Set.of(), "", "", 10, -1, -1).creationTime()).isEqualTo(10);
    }

    @Test
    void storesGpuSpecAsASortedImmutableCopy() {
        Set<String> given = new LinkedHashSet<>(List.of("V100M32", "A10", "T4"));
        TracePod pod = new TracePod("p", 0, 0, 1, 1000, given, "", "", -1, -1, -1);
        given.clear();

        assertThat(pod.gpuSpec()).containsExactly("A10", "T4", "V100M32");
        assertThatThrownBy(() -> pod.gpuSpec().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new TracePod("p", 0, 0, 1, 1000, Set.of("A10|T4"), "", "", -1, -1, -1))
                .hasMessage("pod p: column gpu_spec: expected non-empty GPU model names without '|', got [A10|T4]");
    }

    @Test
    void nodeGpuCountAndModelMustAgree() {
        assertThat(new TraceNode("n", 1, 1, 0, "").gpus()).isZero();
        assertThatThrownBy(() -> new TraceNode("n", 1, 1, 2, ""))
                .hasMessage("node n: column model: expected a GPU model for a node with 2 GPUs, got \"\"");
        assertThatThrownBy(() -> new TraceNode("n", 1, 1, 0, "T4"))
                .hasMessage("node n: column model: expected \"\" for a node without GPUs, got \"T4\"");
        assertThatThrownBy(() -> new TraceNode("n", 1, 1, 17, "T4"))
                .hasMessage("node n: column gpu: expected an integer 0..16, got 17");
    }

    @Test
    void readResultIsImmutableAndConsistent() {
        TraceReadResult<String> result = new TraceReadResult<>(new java.util.ArrayList<>(List.of("a")), 1, List.of("x"));

        assertThatThrownBy(() -> result.items().add("b")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new TraceReadResult<>(List.of(), 0, List.of("x")))
                .hasMessage("firstErrors holds 1 messages for 0 skipped lines (at most 10 kept)");
        assertThatThrownBy(() -> new TraceReadResult<>(List.of(), -1, List.of()))
                .hasMessage("skippedLines must be >= 0, got -1");
    }
}
