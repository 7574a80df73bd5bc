package io.gantry.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSpecTest {

    private static InvalidSpecException rejected(Runnable build) {
        try {
            build.run();
        } catch (InvalidSpecException e) {
            return e;
        }
        throw new AssertionError("accepted");
    }

    @Test
    void gpusWithoutModelIsRejected() {
        InvalidSpecException e = rejected(() -> NodeSpec.of("gpu-7", 64_000, 1 << 30, 4, ""));

        assertThat(e).hasMessage("node gpu-7: gpuModel must be set when the node has GPUs (gpus=4)");
        assertThat(e.objectName()).isEqualTo("gpu-7");
        assertThat(e.field()).isEqualTo("gpuModel");
    }

    @Test
    void nullModelCountsAsMissing() {
        assertThat(rejected(() -> NodeSpec.of("gpu-7", 1, 1, 1, null)).field()).isEqualTo("gpuModel");
    }

    @Test
    void emptyNameIsRejected() {
        assertThat(rejected(() -> NodeSpec.of("", 1, 1, 0, "")))
                .hasMessage("node <unnamed>: name must not be empty");
    }

    @Test
    void negativeCapacitiesAreRejected() {
        assertThat(rejected(() -> NodeSpec.of("n", -1, 1, 0, "")))
                .hasMessage("node n: cpuMilli must not be negative, got -1");
        assertThat(rejected(() -> NodeSpec.of("n", 1, -2, 0, "")))
                .hasMessage("node n: memoryBytes must not be negative, got -2");
        assertThat(rejected(() -> new NodeSpec("n", 1, 1, 1, "A100", -3, null, null, true, null)).field())
                .isEqualTo("gpuMemoryBytes");
    }

    @Test
    void gpuCountOutsideZeroToSixteenIsRejected() {
        assertThat(rejected(() -> NodeSpec.of("n", 1, 1, 17, "A100")))
                .hasMessage("node n: gpus must be 0..16, got 17");
        assertThat(rejected(() -> NodeSpec.of("n", 1, 1, -1, "A100")).field()).isEqualTo("gpus");
        assertThat(NodeSpec.of("n", 1, 1, 16, "A100").gpus()).isEqualTo(16);
    }

    @Test
    void nullNameIsANullPointer() {
        assertThatThrownBy(() -> NodeSpec.of(null, 1, 1, 0, "")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void defaultsAndWithers() {
        NodeSpec node = new NodeSpec("n", 1, 2, 0, null, 0, null, null, true, null);

        assertThat(node.gpuModel()).isEmpty();
        assertThat(node.labels()).isEmpty();
        assertThat(node.topology()).isEqualTo(Topology.NONE);
        assertThat(node.taints()).isEmpty();

        Taint taint = new Taint("k", "v", TaintEffect.NO_SCHEDULE);
        NodeSpec changed = node.withSchedulable(false).withTaints(List.of(taint)).withLabels(Map.of("a", "b"))
                .withTopology(new Topology("z", "r", "d"));
        assertThat(changed.schedulable()).isFalse();
        assertThat(changed.taints()).containsExactly(taint);
        assertThat(changed.labels()).containsEntry("a", "b");
        assertThat(changed.topology().zone()).isEqualTo("z");
        assertThat(changed.cpuMilli()).isEqualTo(1);
        assertThat(new Topology(null, null, null)).isEqualTo(Topology.NONE);
    }
}
