package io.gantry.simulator.workload;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.simulator.trace.OpenbNodeReader;
import io.gantry.simulator.trace.OpenbPodReader;
import io.gantry.simulator.trace.SyntheticWorkload;
import io.gantry.simulator.trace.TraceNode;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.trace.TraceReadResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A cluster and the pods offered to it, as read (trace order kept) plus what was skipped.
 *
 * @param name         for reports, for example the pod file's name or {@code synthetic(seed=1)}
 * @param nodes        the cluster
 * @param pods         the pods in the order the source gives them
 * @param skippedLines malformed lines skipped under {@code --skip-bad-lines}
 * @param skipErrors   the first few of their messages
 */
public record Workload(String name, List<TraceNode> nodes, List<TracePod> pods, int skippedLines, List<String> skipErrors) {
    private static final long MIB = 1024L * 1024L;

    public Workload {
        nodes = List.copyOf(nodes);
        pods = List.copyOf(pods);
        skipErrors = List.copyOf(skipErrors);
    }

    /** Reads an openb node list and pod list. */
    public static Workload openb(Path nodeFile, Path podFile, boolean skipBadLines) throws IOException {
        TraceReadResult<TraceNode> nodes = new OpenbNodeReader(skipBadLines).read(nodeFile);
        TraceReadResult<TracePod> pods = new OpenbPodReader(skipBadLines).read(podFile);
        List<String> errors = new ArrayList<>(nodes.firstErrors());
        errors.addAll(pods.firstErrors());
        return new Workload(podFile.getFileName().toString(), nodes.items(), pods.items(),
                nodes.skippedLines() + pods.skippedLines(), errors);
    }

    public static Workload synthetic(SyntheticWorkload.Config config) {
        SyntheticWorkload generated = SyntheticWorkload.generate(config);
        return new Workload("synthetic(seed=" + config.seed() + ")", generated.nodes(), generated.pods(), 0, List.of());
    }

    public long gpuCapacityMilli() {
        return nodes.stream().mapToLong(n -> n.gpus() * 1000L).sum();
    }

    public int gpuCount() {
        return nodes.stream().mapToInt(TraceNode::gpus).sum();
    }

    /** The pods sorted by name: the population the FGD protocol shuffles, copies and learns shapes from. */
    public List<TracePod> podsByName() {
        List<TracePod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(TracePod::name));
        return sorted;
    }

    /** The FGD paper's typical task shapes of this workload (95% coverage). */
    public TaskShapeDistribution typicalShapes() {
        List<TaskShape> shapes = new ArrayList<>(pods.size());
        for (TracePod pod : pods) {
            shapes.add(TaskShape.of(request(pod), pod.gpuSpec()));
        }
        return TaskShapeDistribution.typical(shapes, TaskShapeDistribution.PAPER_COVERAGE);
    }

    public static NodeSpec toNodeSpec(TraceNode node) {
        return NodeSpec.of(node.name(), node.cpuMilli(), node.memoryMib() * MIB, node.gpus(), node.gpuModel());
    }

    /** openb: num_gpu 1 with gpu_milli below 1000 is a share of one GPU; otherwise num_gpu whole GPUs. */
    public static ResourceRequest request(TracePod pod) {
        long memory = pod.memoryMib() * MIB;
        if (pod.numGpu() == 0) {
            return ResourceRequest.cpuOnly(pod.cpuMilli(), memory);
        }
        if (pod.numGpu() == 1 && pod.gpuMilli() < ResourceRequest.MILLI_PER_GPU) {
            return ResourceRequest.gpuShare(pod.cpuMilli(), memory, pod.gpuMilli());
        }
        return ResourceRequest.wholeGpus(pod.cpuMilli(), memory, pod.numGpu());
    }

    public static PodSpec toPodSpec(TracePod pod, long id, String name) {
        return PodSpec.of(id, name, request(pod), pod.gpuSpec());
    }
}
