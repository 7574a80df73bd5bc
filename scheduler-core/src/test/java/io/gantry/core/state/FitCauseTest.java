package io.gantry.core.state;

import static io.gantry.core.Fixtures.GIB;
import static io.gantry.core.Fixtures.hold;
import static io.gantry.core.Fixtures.share;
import static io.gantry.core.Fixtures.whole;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.Taint;
import io.gantry.core.model.TaintEffect;
import io.gantry.core.model.Toleration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Table of nodes, each failing one check and every check after it, so the cause reported must be the
 * first in the documented order.
 */
class FitCauseTest {

    private static final Map<String, String> GPU_POOL = Map.of("pool", "gpu");
    private static final Taint DEDICATED = new Taint("dedicated", "infer", TaintEffect.NO_SCHEDULE);

    /** Two whole A100s, 8 cores, 32 GiB, only on pool=gpu. */
    private static final PodSpec WHOLE = PodSpec.of(1, "trainer", ResourceRequest.wholeGpus(8_000, 32 * GIB, 2), Set.of("A100"))
            .withNodeSelector(GPU_POOL);
    /** A share of 500 of one A100, 8 cores, 32 GiB, only on pool=gpu. */
    private static final PodSpec SHARE = PodSpec.of(2, "server", ResourceRequest.gpuShare(8_000, 32 * GIB, 500), Set.of("A100"))
            .withNodeSelector(GPU_POOL);

    private static NodeSpec spec(String name, long cores, long memoryGib, int gpus, String model) {
        return NodeSpec.of(name, cores * 1000, memoryGib * GIB, gpus, model).withLabels(GPU_POOL);
    }

    /** Adds a node whose GPUs are all taken (whole by a filler pod), with too little CPU and memory. */
    private static int fullSmallNode(ClusterState state, NodeSpec spec, long fillerId) {
        int id = state.addNode(spec);
        if (spec.gpus() > 0) {
            int[] all = new int[spec.gpus()];
            for (int g = 0; g < all.length; g++) {
                all[g] = g;
            }
            hold(state, whole(fillerId, 0, spec.gpus()), id, all);
        }
        return id;
    }

    @Test
    void firstFailingCheckIsReported() {
        ClusterState state = new ClusterState();
        int cordoned = fullSmallNode(state, spec("cordoned", 4, 16, 0, "").withSchedulable(false).withTaints(List.of(DEDICATED))
                .withLabels(Map.of()), 0);
        int tainted = fullSmallNode(state, spec("tainted", 4, 16, 0, "").withTaints(List.of(DEDICATED)).withLabels(Map.of()), 0);
        int unlabelled = fullSmallNode(state, spec("unlabelled", 4, 16, 0, "").withLabels(Map.of("pool", "cpu")), 0);
        int noGpu = fullSmallNode(state, spec("no-gpu", 4, 16, 0, ""), 0);
        int t4 = fullSmallNode(state, spec("t4", 4, 16, 2, "T4"), 10);
        int fullA100 = fullSmallNode(state, spec("full-a100", 4, 16, 2, "A100"), 11);
        int smallCpu = state.addNode(spec("small-cpu", 4, 16, 2, "A100"));
        int smallMemory = state.addNode(spec("small-memory", 64, 16, 2, "A100"));
        int fine = state.addNode(spec("fine", 64, 64, 2, "A100"));
        PlacementRequest wholePod = state.prepare(WHOLE);
        PlacementRequest sharePod = state.prepare(SHARE);

        assertThat(state.fitCause(wholePod, cordoned)).isEqualTo(UnfitCause.CORDONED);
        assertThat(state.fitCause(wholePod, tainted)).isEqualTo(UnfitCause.TAINT_NOT_TOLERATED);
        assertThat(state.fitCause(wholePod, unlabelled)).isEqualTo(UnfitCause.NODE_SELECTOR_MISMATCH);
        assertThat(state.fitCause(wholePod, noGpu)).isEqualTo(UnfitCause.NO_GPU);
        assertThat(state.fitCause(wholePod, t4)).isEqualTo(UnfitCause.GPU_MODEL_MISMATCH);
        assertThat(state.fitCause(wholePod, fullA100)).isEqualTo(UnfitCause.TOO_FEW_FREE_GPUS);
        assertThat(state.fitCause(sharePod, fullA100)).isEqualTo(UnfitCause.NO_GPU_SHARE_LEFT);
        assertThat(state.fitCause(wholePod, smallCpu)).isEqualTo(UnfitCause.INSUFFICIENT_CPU);
        assertThat(state.fitCause(wholePod, smallMemory)).isEqualTo(UnfitCause.INSUFFICIENT_MEMORY);
        assertThat(state.fitCause(wholePod, fine)).isNull();
        assertThat(state.fits(wholePod, fine)).isTrue();
        assertThat(state.fits(wholePod, smallMemory)).isFalse();
    }

    @Test
    void tooFewFreeGpusCountsOnlyFullyFreeOnes() {
        ClusterState state = new ClusterState();
        int node = state.addNode(spec("a", 64, 64, 2, "A100"));
        hold(state, share(9, 0, 1), node, 0);
        PlacementRequest wholePod = state.prepare(WHOLE);
        PlacementRequest sharePod = state.prepare(SHARE);

        assertThat(state.fitCause(wholePod, node)).isEqualTo(UnfitCause.TOO_FEW_FREE_GPUS);
        assertThat(state.fitCause(sharePod, node)).isNull();
    }

    @Test
    void shareNeedsOneGpuWithEnoughLeft() {
        ClusterState state = new ClusterState();
        int node = state.addNode(spec("a", 64, 64, 2, "A100"));
        hold(state, share(8, 0, 501), node, 0);
        hold(state, share(9, 0, 501), node, 1);
        PlacementRequest sharePod = state.prepare(SHARE);
        assertThat(state.fitCause(sharePod, node)).isEqualTo(UnfitCause.NO_GPU_SHARE_LEFT);

        state.release(9);
        assertThat(state.fitCause(sharePod, node)).isNull();
        hold(state, share(9, 0, 500), node, 1);
        assertThat(state.fitCause(sharePod, node)).as("exactly 500 left").isNull();
    }

    @Test
    void tolerationsAndSoftTaints() {
        ClusterState state = new ClusterState();
        int soft = state.addNode(spec("soft", 64, 64, 2, "A100")
                .withTaints(List.of(new Taint("spot", "", TaintEffect.PREFER_NO_SCHEDULE))));
        int hard = state.addNode(spec("hard", 64, 64, 2, "A100")
                .withTaints(List.of(DEDICATED, new Taint("gpu", "", TaintEffect.NO_EXECUTE))));

        assertThat(state.fitCause(state.prepare(WHOLE), soft)).as("prefer-no-schedule never rejects").isNull();
        assertThat(state.fitCause(state.prepare(WHOLE), hard)).isEqualTo(UnfitCause.TAINT_NOT_TOLERATED);
        PodSpec one = WHOLE.withTolerations(List.of(Toleration.equal("dedicated", "infer", null)));
        assertThat(state.fitCause(state.prepare(one), hard)).as("must tolerate every repelling taint")
                .isEqualTo(UnfitCause.TAINT_NOT_TOLERATED);
        PodSpec both = WHOLE.withTolerations(List.of(Toleration.equal("dedicated", "infer", null), Toleration.exists("gpu")));
        assertThat(state.fitCause(state.prepare(both), hard)).isNull();
        PodSpec everything = WHOLE.withTolerations(List.of(Toleration.exists("")));
        assertThat(state.fitCause(state.prepare(everything), hard)).isNull();
        PodSpec wrongEffect = WHOLE.withTolerations(List.of(new Toleration("", true, "", TaintEffect.NO_SCHEDULE)));
        assertThat(state.fitCause(state.prepare(wrongEffect), hard)).as("NoExecute taint is not tolerated")
                .isEqualTo(UnfitCause.TAINT_NOT_TOLERATED);
    }

    @Test
    void selectorNeedsEveryLabel() {
        ClusterState state = new ClusterState();
        int node = state.addNode(spec("a", 64, 64, 2, "A100").withLabels(Map.of("pool", "gpu", "zone", "z1")));
        PodSpec twoLabels = WHOLE.withNodeSelector(Map.of("pool", "gpu", "zone", "z1"));
        PodSpec wrongZone = WHOLE.withNodeSelector(Map.of("pool", "gpu", "zone", "z2"));

        assertThat(state.fitCause(state.prepare(twoLabels), node)).isNull();
        assertThat(state.fitCause(state.prepare(wrongZone), node)).isEqualTo(UnfitCause.NODE_SELECTOR_MISMATCH);
    }

    @Test
    void gpuMemoryIsCheckedOnlyWhenBothSidesKnowIt() {
        ClusterState state = new ClusterState();
        int small = state.addNode(new NodeSpec("small", 64_000, 64 * GIB, 2, "A100", 40 * GIB, GPU_POOL, null, true, null));
        int unknown = state.addNode(spec("unknown", 64, 64, 2, "A100"));
        PodSpec big = PodSpec.of(3, "big", new ResourceRequest(0, 0, 1, 0, 80 * GIB), Set.of());

        assertThat(state.fitCause(state.prepare(big), small)).isEqualTo(UnfitCause.GPU_MEMORY_TOO_SMALL);
        assertThat(state.fitCause(state.prepare(big), unknown)).isNull();
    }

    @Test
    void cpuOnlyPodIgnoresGpuChecks() {
        ClusterState state = new ClusterState();
        int node = fullSmallNode(state, spec("t4", 64, 64, 2, "T4"), 10);
        PodSpec cpu = PodSpec.of(4, "cpu", ResourceRequest.cpuOnly(1000, GIB), Set.of("A100"));

        assertThat(state.fitCause(state.prepare(cpu), node)).isNull();
    }

    @Test
    void causesDescribeThemselvesInTheSingularAndPlural() {
        assertThat(UnfitCause.CORDONED.describe(1)).isEqualTo("1 node is cordoned");
        assertThat(UnfitCause.GPU_MODEL_MISMATCH.describe(8)).isEqualTo("8 nodes lack an acceptable GPU model");
        assertThat(UnfitCause.TOO_FEW_FREE_GPUS.describe(3)).isEqualTo("3 nodes have too few fully free GPUs");
        assertThat(List.of(UnfitCause.CORDONED, UnfitCause.TAINT_NOT_TOLERATED, UnfitCause.NODE_SELECTOR_MISMATCH,
                UnfitCause.NO_GPU, UnfitCause.GPU_MODEL_MISMATCH, UnfitCause.TOO_FEW_FREE_GPUS, UnfitCause.NO_GPU_SHARE_LEFT,
                UnfitCause.INSUFFICIENT_CPU, UnfitCause.INSUFFICIENT_MEMORY))
                .as("declared in the order the checks run").isSortedAccordingTo(Comparator.naturalOrder());
    }
}
