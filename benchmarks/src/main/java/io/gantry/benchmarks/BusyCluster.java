package io.gantry.benchmarks;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A busy production-like cluster for the suites: 8-GPU nodes (128 cores, 1 TiB) of three GPU models,
 * filled from a seeded random stream of pods drawn from a fixed menu of templates (fractional shares,
 * 1, 2, 4 and 8 whole GPUs, each with its own CPU and memory), so that nodes end up in many different
 * states. Per node the fill aims at a GPU utilisation drawn as: 10% empty, 10% full, the rest uniform in
 * 20..95%. A pod that no longer fits ends the node's fill.
 *
 * <p>The fill is recorded (node, GPU mask, template) so a suite can replay it as {@code PodBound} events
 * into an agent, and its shapes give the FGD task shape distribution.
 */
final class BusyCluster {
    static final long SEED = 42;
    static final long GIB = 1024L * 1024 * 1024;
    static final String[] MODELS = {"A100-SXM4-80GB", "H100-SXM5-80GB", "L40S"};
    private static final double[] MODEL_WEIGHTS = {0.5, 0.3, 0.2};
    static final long NODE_CPU = 128_000;
    static final long NODE_MEMORY = 1024 * GIB;
    static final int NODE_GPUS = 8;
    /** Pod ids of the fill start here; the suites' own pods use small ids. */
    static final long FILL_ID_BASE = 1_000_000_000L;

    /** The pod templates of the fill and their weights: what a production cluster's controllers ask for. */
    static final ResourceRequest[] TEMPLATES = {
            ResourceRequest.gpuShare(1_000, 8 * GIB, 100),
            ResourceRequest.gpuShare(2_000, 16 * GIB, 200),
            ResourceRequest.gpuShare(2_000, 16 * GIB, 250),
            ResourceRequest.gpuShare(3_000, 24 * GIB, 300),
            ResourceRequest.gpuShare(4_000, 32 * GIB, 500),
            ResourceRequest.gpuShare(6_000, 48 * GIB, 700),
            ResourceRequest.wholeGpus(4_000, 32 * GIB, 1),
            ResourceRequest.wholeGpus(8_000, 64 * GIB, 1),
            ResourceRequest.wholeGpus(12_000, 96 * GIB, 1),
            ResourceRequest.wholeGpus(16_000, 128 * GIB, 1),
            ResourceRequest.wholeGpus(16_000, 128 * GIB, 2),
            ResourceRequest.wholeGpus(24_000, 192 * GIB, 2),
            ResourceRequest.wholeGpus(32_000, 256 * GIB, 4),
            ResourceRequest.wholeGpus(48_000, 384 * GIB, 4),
            ResourceRequest.wholeGpus(96_000, 768 * GIB, 8),
    };
    private static final double[] TEMPLATE_WEIGHTS = {
            0.06, 0.08, 0.08, 0.06, 0.08, 0.04,
            0.10, 0.15, 0.08, 0.05,
            0.06, 0.04,
            0.04, 0.03,
            0.05,
    };

    /** The suites' 1-GPU pod (a template of the fill, so FGD's shape cache applies as in production). */
    static final ResourceRequest ONE_GPU = TEMPLATES[7];
    /** The suites' fractional pod. */
    static final ResourceRequest SHARE = TEMPLATES[2];
    /** A gang member: a whole 8-GPU node's worth. */
    static final ResourceRequest EIGHT_GPUS = TEMPLATES[14];

    final ClusterState state;
    final NodeSpec[] nodes;
    /** The fill, one entry per pod: node id, GPU mask, template index. */
    final int[] fillNode;
    final int[] fillMask;
    final int[] fillTemplate;
    final int fillPods;

    private BusyCluster(ClusterState state, NodeSpec[] nodes, int[] fillNode, int[] fillMask, int[] fillTemplate, int fillPods) {
        this.state = state;
        this.nodes = nodes;
        this.fillNode = fillNode;
        this.fillMask = fillMask;
        this.fillTemplate = fillTemplate;
        this.fillPods = fillPods;
    }

    static BusyCluster build(int nodeCount) {
        SplittableRandom random = new SplittableRandom(SEED);
        ClusterState state = new ClusterState(nodeCount, SEED);
        NodeSpec[] nodes = new NodeSpec[nodeCount];
        int cap = nodeCount * 16;
        int[] fillNode = new int[cap];
        int[] fillMask = new int[cap];
        int[] fillTemplate = new int[cap];
        int pods = 0;
        PlacementRequest[] requests = new PlacementRequest[TEMPLATES.length];
        for (int n = 0; n < nodeCount; n++) {
            String model = MODELS[pick(random, MODEL_WEIGHTS)];
            nodes[n] = NodeSpec.of(String.format("node-%05d", n), NODE_CPU, NODE_MEMORY, NODE_GPUS, model);
            int id = state.addNode(nodes[n]);
            double draw = random.nextDouble();
            double target = draw < 0.1 ? 0 : draw < 0.2 ? 1.0 : 0.2 + random.nextDouble() * 0.75;
            long targetMilli = Math.round(target * NODE_GPUS * 1000);
            long used = 0;
            while (used < targetMilli && pods < cap) {
                int t = pick(random, TEMPLATE_WEIGHTS);
                long fillId = FILL_ID_BASE + pods;
                PodSpec spec = PodSpec.of(fillId, "fill-" + pods, TEMPLATES[t], Set.of());
                requests[t] = requests[t] == null ? state.prepare(spec) : state.prepare(spec, requests[t]);
                if (!state.fits(requests[t], id)) {
                    break;
                }
                int mask = chooseGpus(state, id, TEMPLATES[t]);
                state.assume(requests[t], id, mask);
                fillNode[pods] = id;
                fillMask[pods] = mask;
                fillTemplate[pods] = t;
                used += TEMPLATES[t].totalGpuMilli();
                pods++;
            }
        }
        return new BusyCluster(state, nodes, fillNode, fillMask, fillTemplate, pods);
    }

    /** Shares go to the tightest GPU that holds them (how a packing scheduler left them), whole GPUs to the lowest free. */
    private static int chooseGpus(ClusterState state, int node, ResourceRequest r) {
        if (r.gpus() > 0) {
            int mask = 0;
            for (int g = 0, taken = 0; g < state.gpuCount(node) && taken < r.gpus(); g++) {
                if (state.gpuFree(node, g) == 1000) {
                    mask |= 1 << g;
                    taken++;
                }
            }
            return mask;
        }
        int best = -1;
        for (int g = 0; g < state.gpuCount(node); g++) {
            int free = state.gpuFree(node, g);
            if (free >= r.gpuMilli() && (best < 0 || free < state.gpuFree(node, best))) {
                best = g;
            }
        }
        return 1 << best;
    }

    /** The FGD paper's typical task shapes of the fill (95% coverage). */
    TaskShapeDistribution taskShapes() {
        List<TaskShape> shapes = new ArrayList<>(fillPods);
        for (int i = 0; i < fillPods; i++) {
            shapes.add(TaskShape.of(TEMPLATES[fillTemplate[i]], Set.of()));
        }
        return TaskShapeDistribution.typical(shapes, TaskShapeDistribution.PAPER_COVERAGE);
    }

    /** A PodSpec of fill pod {@code i}, for replaying the fill into an agent. */
    PodSpec fillSpec(int i) {
        return PodSpec.of(FILL_ID_BASE + i, "fill-" + i, TEMPLATES[fillTemplate[i]], Set.of());
    }

    /** Nodes with all 8 GPUs free. */
    int emptyGpuNodes() {
        int n = 0;
        for (int node = 0; node < state.nodeSlots(); node++) {
            n += state.isLive(node) && state.freeWholeGpus(node) == NODE_GPUS ? 1 : 0;
        }
        return n;
    }

    /** One line about the fill, printed by the suites' setups so a run records what it measured. */
    String describe() {
        return String.format("cluster: %d nodes, %d fill pods, %.1f%% of GPU milli allocated, %d node classes, %d fully free nodes",
                state.nodeCount(), fillPods, 100.0 * state.gpuAllocatedMilli() / state.gpuCapacityMilli(),
                state.nodeClassCount(), emptyGpuNodes());
    }

    private static int pick(SplittableRandom random, double[] weights) {
        double draw = random.nextDouble();
        for (int i = 0; i < weights.length - 1; i++) {
            draw -= weights[i];
            if (draw < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
