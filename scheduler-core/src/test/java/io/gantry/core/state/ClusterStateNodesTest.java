package io.gantry.core.state;

import static io.gantry.core.Fixtures.cpuOnly;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.node;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.snapshot;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.core.Fixtures;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStateNodesTest {

    @Test
    void addedNodeStartsEmptyAndIsIndexed() {
        ClusterState state = new ClusterState(1);
        int id = state.addNode(node("n0", 32, 4, "A100"));

        assertThat(id).isZero();
        assertThat(state.nodeId("n0")).isZero();
        assertThat(state.nodeCount()).isEqualTo(1);
        assertThat(state.cpuFree(0)).isEqualTo(32_000);
        assertThat(state.gpuCount(0)).isEqualTo(4);
        assertThat(state.freeWholeGpus(0)).isEqualTo(4);
        assertThat(state.largestFreeShare(0)).isEqualTo(1000);
        assertThat(state.freeGpuMilli(0)).isEqualTo(4000);
        assertThat(state.gpuCapacityMilli()).isEqualTo(4000);
        assertThat(state.totalGpus()).isEqualTo(4);
        assertThat(state.models().name(state.gpuModelId(0))).isEqualTo("A100");
        state.verify();
    }

    @Test
    void nodeWithoutGpusHasNoModel() {
        ClusterState state = new ClusterState();
        int id = state.addNode(NodeSpec.of("cpu", 8000, 1, 0, "A100"));

        assertThat(state.gpuModelId(id)).isEqualTo(GpuModelRegistry.NO_MODEL);
        assertThat(state.largestFreeShare(id)).isZero();
        state.verify();
    }

    @Test
    void duplicateNameIsRejected() {
        ClusterState state = new ClusterState();
        state.addNode(node("n0", 8, 0, ""));

        assertThatThrownBy(() -> state.addNode(node("n0", 16, 1, "T4")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("node n0: already exists (id 0)");
        assertThat(state.nodeCount()).isEqualTo(1);
        state.verify();
    }

    @Test
    void growsBeyondTheExpectedSize() {
        ClusterState state = new ClusterState(1);
        for (int i = 0; i < 100; i++) {
            assertThat(state.addNode(node("n" + i, 8, i % 9, "V100"))).isEqualTo(i);
        }
        hold(state, whole(1, 0, 8), 98, 0, 1, 2, 3, 4, 5, 6, 7);

        assertThat(state.nodeSlots()).isEqualTo(100);
        assertThat(state.freeWholeGpus(98)).isZero();
        state.verify();
    }

    @Test
    void removeNodeWithPodsNamesTheNode() {
        ClusterState state = new ClusterState();
        int id = state.addNode(node("busy-1", 8, 2, "T4"));
        hold(state, cpuOnly(1, 1000), id);
        hold(state, share(2, 0, 300), id, 1);
        List<String> before = snapshot(state);

        assertThatThrownBy(() -> state.removeNode(id))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("node busy-1: cannot remove, 2 pods are still placed on it");
        assertThat(snapshot(state)).isEqualTo(before);
        state.verify();
    }

    @Test
    void removeUnknownNodeIsAnArgumentError() {
        ClusterState state = new ClusterState();

        assertThatThrownBy(() -> state.removeNode(3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id 3: no such node");
    }

    @Test
    void removedNodeIdIsReusedWithAHigherVersion() {
        ClusterState state = new ClusterState();
        state.addNode(node("a", 8, 2, "T4"));
        int b = state.addNode(node("b", 8, 4, "A100"));
        state.addNode(node("c", 8, 0, ""));
        long versionBefore = state.version(b);

        state.removeNode(b);
        assertThat(state.isLive(b)).isFalse();
        assertThat(state.nodeId("b")).isEqualTo(ClusterState.NO_NODE);
        assertThat(state.nodeCount()).isEqualTo(2);
        assertThat(state.totalGpus()).isEqualTo(2);
        assertThat(state.gpuCapacityMilli()).isEqualTo(2000);
        state.verify();

        int d = state.addNode(node("d", 16, 1, "T4"));
        assertThat(d).isEqualTo(b);
        assertThat(state.nodeName(d)).isEqualTo("d");
        assertThat(state.version(d)).isGreaterThan(versionBefore + 1);
        assertThat(state.gpuCount(d)).isEqualTo(1);
        assertThat(state.freeGpuMilli(d)).isEqualTo(1000);
        assertThat(state.nodeSlots()).isEqualTo(3);
        assertThat(state.totalGpus()).isEqualTo(3);
        state.verify();

        // the reused id is found by the index under its new model only
        int[] out = new int[state.nodeSlots()];
        int count = state.collectCandidates(state.prepare(whole(1, 0, 1, "A100")), out);
        assertThat(count).isZero();
        count = state.collectCandidates(state.prepare(whole(2, 0, 1, "T4")), out);
        assertThat(List.of(out[0], out[1])).containsExactlyInAnyOrder(0, d);
        assertThat(count).isEqualTo(2);
    }

    @Test
    void readdingARemovedNameWorks() {
        ClusterState state = new ClusterState();
        int a = state.addNode(node("a", 8, 2, "T4"));
        state.removeNode(a);

        int again = state.addNode(node("a", 4, 0, ""));
        assertThat(state.nodeId("a")).isEqualTo(again);
        assertThat(state.cpuCapacity(again)).isEqualTo(4000);
        state.verify();
    }

    @Test
    void updateNodeKeepsPodsAndChangesCapacity() {
        ClusterState state = new ClusterState();
        int id = state.addNode(node("n", 32, 2, "A100"));
        hold(state, share(1, 4000, 400), id, 1);
        long version = state.version(id);

        state.updateNode(id, NodeSpec.of("n", 16_000, 64L << 30, 4, "A100"));

        assertThat(state.version(id)).isGreaterThan(version);
        assertThat(state.cpuFree(id)).isEqualTo(12_000);
        assertThat(state.memoryFree(id)).isEqualTo(64L << 30);
        assertThat(state.gpuCount(id)).isEqualTo(4);
        assertThat(state.gpuFree(id, 1)).isEqualTo(600);
        assertThat(state.freeWholeGpus(id)).isEqualTo(3);
        assertThat(state.totalGpus()).isEqualTo(4);
        assertThat(state.gpuCapacityMilli()).isEqualTo(4000);
        state.verify();

        state.updateNode(id, NodeSpec.of("n", 16_000, 64L << 30, 2, "A100"));
        assertThat(state.gpuCount(id)).isEqualTo(2);
        assertThat(state.freeWholeGpus(id)).isEqualTo(1);
        state.verify();
        state.release(1);
        assertThat(state.freeWholeGpus(id)).isEqualTo(2);
        state.verify();
    }

    @Test
    void updateNodeMayChangeTheModelWhileGpusAreFree() {
        ClusterState state = new ClusterState();
        int id = state.addNode(node("n", 32, 2, "A100"));
        hold(state, cpuOnly(1, 1000), id);

        state.updateNode(id, node("n", 32, 2, "H100"));

        assertThat(state.models().name(state.gpuModelId(id))).isEqualTo("H100");
        int[] out = new int[1];
        assertThat(state.collectCandidates(state.prepare(whole(2, 0, 1, "A100")), out)).isZero();
        assertThat(state.collectCandidates(state.prepare(whole(3, 0, 1, "H100")), out)).isEqualTo(1);
        state.updateNode(id, node("n", 32, 0, ""));
        assertThat(state.collectCandidates(state.prepare(whole(3, 0, 1, "H100")), out)).isZero();
        state.verify();
    }

    @Test
    void updateNodeBelowWhatIsInUseIsRejectedAndChangesNothing() {
        ClusterState state = new ClusterState();
        int id = state.addNode(node("n", 32, 4, "A100"));
        hold(state, pod(1, 8000, 10L << 30), id);
        hold(state, share(2, 0, 100), id, 2);
        List<String> before = snapshot(state);

        assertThatThrownBy(() -> state.updateNode(id, NodeSpec.of("n", 7999, 256L << 30, 4, "A100")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("node n: cpuMilli 7999 is below the 8000 already in use");
        assertThatThrownBy(() -> state.updateNode(id, NodeSpec.of("n", 32_000, 1L << 30, 4, "A100")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("node n: memoryBytes 1073741824 is below the 10737418240 already in use");
        assertThatThrownBy(() -> state.updateNode(id, NodeSpec.of("n", 32_000, 256L << 30, 2, "A100")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("node n: gpus 2 would drop GPU 2, which is in use");
        assertThatThrownBy(() -> state.updateNode(id, NodeSpec.of("n", 32_000, 256L << 30, 4, "H100")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("node n: gpuModel cannot change from A100 to H100 while pods use its GPUs");
        assertThatThrownBy(() -> state.updateNode(id, node("m", 32, 4, "A100")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node n: update names another node, m");

        assertThat(snapshot(state)).isEqualTo(before);
        state.verify();
    }

    private static PodSpec pod(long id, long cpu, long memory) {
        return Fixtures.pod(id, ResourceRequest.cpuOnly(cpu, memory));
    }

    @Test
    void versionIncreasesOnEveryChangeOfThatNodeOnly() {
        ClusterState state = new ClusterState();
        int a = state.addNode(node("a", 32, 2, "A100"));
        int b = state.addNode(node("b", 32, 2, "A100"));
        long va = state.version(a);
        long vb = state.version(b);
        assertThat(va).isPositive();

        hold(state, share(1, 100, 200), a, 0);
        assertThat(state.version(a)).isGreaterThan(va);
        va = state.version(a);
        hold(state, cpuOnly(2, 100), a);
        assertThat(state.version(a)).isGreaterThan(va);
        va = state.version(a);
        state.release(1);
        assertThat(state.version(a)).isGreaterThan(va);
        va = state.version(a);
        state.updateNode(a, node("a", 64, 2, "A100"));
        assertThat(state.version(a)).isGreaterThan(va);
        va = state.version(a);
        state.updateNode(a, node("a", 64, 2, "A100"));
        assertThat(state.version(a)).as("even an update that changes nothing").isGreaterThan(va);

        assertThat(state.version(b)).isEqualTo(vb);
    }

    @Test
    void failedMutationsDoNotChangeTheVersion() {
        ClusterState state = new ClusterState();
        int a = state.addNode(node("a", 4, 1, "A100"));
        long version = state.version(a);

        assertThatThrownBy(() -> hold(state, cpuOnly(1, 5000), a)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> state.updateNode(a, node("b", 4, 1, "A100"))).isInstanceOf(IllegalArgumentException.class);

        assertThat(state.version(a)).isEqualTo(version);
    }

    @Test
    void gpuClassMaskTracksTheHostedClasses() {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 64, 8, "A100"));
        assertThat(state.gpuClassMask(n)).isZero();

        hold(state, cpuOnly(1, 1000), n);
        assertThat(state.gpuClassMask(n)).as("CPU-only pods are not a class").isZero();
        hold(state, share(2, 0, 300), n, 0);
        hold(state, share(3, 0, 300), n, 0);
        assertThat(state.gpuClassMask(n)).isEqualTo(0b1);
        hold(state, whole(4, 0, 2), n, 2, 3);
        assertThat(state.gpuClassMask(n)).isEqualTo(0b101);
        hold(state, whole(5, 0, 1), n, 4);
        assertThat(state.gpuClassMask(n)).isEqualTo(0b111);
        hold(state, whole(6, 0, 3), n, 5, 6, 7);
        assertThat(state.gpuClassMask(n)).isEqualTo(0b1111);

        state.release(2);
        assertThat(state.gpuClassMask(n)).as("one share pod is left").isEqualTo(0b1111);
        state.release(3);
        assertThat(state.gpuClassMask(n)).isEqualTo(0b1110);
        state.release(4);
        state.release(1);
        assertThat(state.gpuClassMask(n)).isEqualTo(0b1010);
        state.verify();
    }

    @Test
    void verifyPassesOnValidStatesAndCatchesACorruptedTable() throws ReflectiveOperationException {
        ClusterState state = new ClusterState();
        int n = state.addNode(node("n", 8, 2, "T4"));
        state.verify();
        hold(state, share(1, 1000, 500), n, 1);
        state.verify();

        Field field = ClusterState.class.getDeclaredField("cpuFree");
        field.setAccessible(true);
        long[] cpuFree = (long[]) field.get(state);
        cpuFree[n] += 1;

        assertThatThrownBy(state::verify).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n: cpuFree is 7001, expected 7000");
        cpuFree[n] -= 1;
        state.verify();

        Field gpuField = ClusterState.class.getDeclaredField("freeWholeGpus");
        gpuField.setAccessible(true);
        ((int[]) gpuField.get(state))[n] = 2;
        assertThatThrownBy(state::verify).isInstanceOf(IllegalStateException.class)
                .hasMessage("node n: freeWholeGpus is 2, expected 1");
    }

    @Test
    void nodeReadOfUnknownIdIsAnArgumentError() {
        ClusterState state = new ClusterState();

        assertThatThrownBy(() -> state.node(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(state.isLive(-1)).isFalse();
    }
}
