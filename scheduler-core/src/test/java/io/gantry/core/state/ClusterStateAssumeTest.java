package io.gantry.core.state;

import static io.gantry.core.Fixtures.GIB;
import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.mask;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.pod;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.snapshot;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ClusterStateAssumeTest {

    private ClusterState state;
    private int a100;
    private int cpuNode;

    /**
     * a100: 16 cores, 64 GiB, 4 A100 GPUs, holding a share of 600 on GPU 0 and a whole GPU 1.
     * cpuNode: 8 cores, no GPU.
     */
    @BeforeEach
    void cluster() {
        state = new ClusterState();
        a100 = state.addNode(NodeSpec.of("a100-0", 16_000, 64 * GIB, 4, "A100"));
        cpuNode = state.addNode(NodeSpec.of("cpu-0", 8_000, 16 * GIB, 0, ""));
        state.models().intern("T4");
        hold(state, pod(100, ResourceRequest.gpuShare(2_000, 8 * GIB, 600)), a100, 0);
        hold(state, pod(101, ResourceRequest.wholeGpus(4_000, 8 * GIB, 1)), a100, 1);
    }

    @Test
    void assumeTakesAndReleaseGivesBackExactly() {
        List<String> before = snapshot(state);
        PodSpec pod = pod(1, ResourceRequest.gpuShare(1_500, 2 * GIB, 350));

        hold(state, pod, a100, 0);

        assertThat(state.gpuFree(a100, 0)).isEqualTo(50);
        assertThat(state.cpuFree(a100)).isEqualTo(8_500);
        assertThat(state.memoryFree(a100)).isEqualTo(46 * GIB);
        assertThat(state.isPlaced(1)).isTrue();
        assertThat(state.nodeOf(1)).isEqualTo(a100);
        assertThat(state.gpuMaskOf(1)).isEqualTo(0b1);
        assertThat(state.gpuAllocatedMilli()).isEqualTo(1950);
        state.verify();

        state.release(1);

        List<String> after = snapshot(state);
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.size(); i++) {
            // identical except for the version, which only grows
            assertThat(after.get(i).replaceAll(" v=\\d+", "")).isEqualTo(before.get(i).replaceAll(" v=\\d+", ""));
        }
        assertThat(state.isPlaced(1)).isFalse();
        assertThat(state.nodeOf(1)).isEqualTo(ClusterState.NO_NODE);
        assertThat(state.gpuMaskOf(1)).isZero();
        state.verify();
    }

    @Test
    void wholeGpusAreTakenEntirely() {
        hold(state, whole(1, 0, 2), a100, 2, 3);

        assertThat(state.gpuFree(a100, 2)).isZero();
        assertThat(state.gpuFree(a100, 3)).isZero();
        assertThat(state.freeWholeGpus(a100)).isZero();
        assertThat(state.largestFreeShare(a100)).isEqualTo(400);
        state.verify();
    }

    @Test
    void cpuOnlyPodOnNodeWithoutGpus() {
        hold(state, cpuOnly(1, 8_000), cpuNode);

        assertThat(state.cpuFree(cpuNode)).isZero();
        assertThat(state.podsOnNode(cpuNode)).isEqualTo(1);
        state.verify();
    }

    @Test
    void releasingAPodThatIsNotPlacedIsAnError() {
        List<String> before = snapshot(state);

        assertThatThrownBy(() -> state.release(42)).isInstanceOf(IllegalStateException.class)
                .hasMessage("pod id 42: cannot release, it holds no placement");
        state.release(100);
        assertThatThrownBy(() -> state.release(100)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pod id 100");
        assertThat(snapshot(state)).isNotEqualTo(before);
        state.verify();
    }

    static Stream<Arguments> overcommits() {
        return Stream.of(
                Arguments.of("share on a GPU with too little left", share(1, 0, 500), "a100-0", mask(0),
                        "pod pod-1: GPU 0 of node a100-0 has 400 milli free, needs 500"),
                Arguments.of("share on a GPU held whole", share(1, 0, 1), "a100-0", mask(1),
                        "pod pod-1: GPU 1 of node a100-0 has 0 milli free, needs 1"),
                Arguments.of("whole GPU on a partly used GPU", whole(1, 0, 1), "a100-0", mask(0),
                        "pod pod-1: GPU 0 of node a100-0 has 400 milli free, needs 1000"),
                Arguments.of("whole GPUs, one already full", whole(1, 0, 2), "a100-0", mask(1, 2),
                        "pod pod-1: GPU 1 of node a100-0 has 0 milli free, needs 1000"),
                Arguments.of("CPU over", pod(1, ResourceRequest.cpuOnly(10_001, 0)), "a100-0", 0,
                        "pod pod-1: cpuMilli 10001 exceeds the 10000 free on node a100-0"),
                Arguments.of("memory over", pod(1, ResourceRequest.cpuOnly(0, 48 * GIB + 1)), "a100-0", 0,
                        "pod pod-1: memoryBytes 51539607553 exceeds the 51539607552 free on node a100-0"),
                Arguments.of("mask names too few GPUs", whole(1, 0, 2), "a100-0", mask(2),
                        "pod pod-1: GPU mask 100 names 1 GPUs but the pod needs 2"),
                Arguments.of("mask names too many GPUs", share(1, 0, 100), "a100-0", mask(2, 3),
                        "pod pod-1: GPU mask 1100 names 2 GPUs but the pod needs 1"),
                Arguments.of("mask on a CPU-only pod", cpuOnly(1, 0), "a100-0", mask(2),
                        "pod pod-1: GPU mask 100 names 1 GPUs but the pod needs 0"),
                Arguments.of("GPU index beyond the node's GPUs", whole(1, 0, 1), "a100-0", mask(4),
                        "pod pod-1: GPU 4 does not exist on node a100-0 (4 GPUs)"),
                Arguments.of("GPU on a node without GPUs", share(1, 0, 100), "cpu-0", mask(0),
                        "pod pod-1: GPU 0 does not exist on node cpu-0 (0 GPUs)"),
                Arguments.of("model not accepted", whole(1, 0, 1, "T4"), "a100-0", mask(2),
                        "pod pod-1: node a100-0 has GPU model A100, which the pod does not accept"),
                Arguments.of("already placed", share(100, 0, 100), "a100-0", mask(2),
                        "pod pod-100: already placed on node a100-0"),
                Arguments.of("already placed, other node", cpuOnly(101, 0), "cpu-0", 0,
                        "pod pod-101: already placed on node a100-0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overcommits")
    void overcommitIsRejectedAndChangesNothing(String what, PodSpec pod, String nodeName, int gpuMask, String message) {
        List<String> before = snapshot(state);
        PlacementRequest request = state.prepare(pod);
        int node = state.nodeId(nodeName);

        assertThatThrownBy(() -> state.assume(request, node, gpuMask))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(message);

        assertThat(snapshot(state)).isEqualTo(before);
        state.verify();
    }

    @Test
    void assumeOnAMissingNodeIsAnArgumentError() {
        List<String> before = snapshot(state);

        assertThatThrownBy(() -> state.assume(state.prepare(cpuOnly(1, 0)), 7, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("node id 7: no such node");
        assertThat(snapshot(state)).isEqualTo(before);
    }

    @Test
    void exactlyFullIsAllowed() {
        hold(state, pod(1, new ResourceRequest(10_000, 48 * GIB, 0, 400, 0)), a100, 0);

        assertThat(state.cpuFree(a100)).isZero();
        assertThat(state.memoryFree(a100)).isZero();
        assertThat(state.gpuFree(a100, 0)).isZero();
        state.verify();
    }

    @Test
    void prepareResolvesModelsToAMask() {
        PlacementRequest any = state.prepare(whole(1, 0, 1));
        PlacementRequest a100Only = state.prepare(whole(2, 0, 1, "A100"));
        PlacementRequest t4OrA100 = state.prepare(whole(3, 0, 1, "T4", "A100"));

        int a100Id = state.gpuModelId(a100);
        int t4Id = state.models().intern("T4");
        assertThat(any.modelMask()).isZero();
        assertThat(a100Only.modelMask()).isEqualTo(1L << a100Id);
        assertThat(t4OrA100.modelMask()).isEqualTo((1L << a100Id) | (1L << t4Id));
        assertThat(GpuModelRegistry.accepts(0, GpuModelRegistry.NO_MODEL)).isTrue();
        assertThat(GpuModelRegistry.accepts(1L << a100Id, GpuModelRegistry.NO_MODEL)).isFalse();
        assertThat(GpuModelRegistry.accepts(1L << t4Id, a100Id)).isFalse();
    }

    @Test
    void registryRefusesTheSixtyFifthModel() {
        GpuModelRegistry registry = new GpuModelRegistry();
        for (int i = 0; i < GpuModelRegistry.MAX_MODELS; i++) {
            assertThat(registry.intern("m" + i)).isEqualTo(i);
        }
        assertThat(registry.intern("m3")).isEqualTo(3);

        assertThatThrownBy(() -> registry.intern("one-too-many")).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("GPU model one-too-many: more than 64 distinct GPU models");
        assertThat(registry.size()).isEqualTo(64);
    }
}
