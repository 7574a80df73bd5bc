package io.gantry.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A node as the scheduler sees it: allocatable capacity, its GPUs (all of one model), labels,
 * topology, whether new pods may land on it, and its taints.
 *
 * @param name           unique node name
 * @param cpuMilli       allocatable CPU in thousandths of a core
 * @param memoryBytes    allocatable memory in bytes
 * @param gpus           number of GPUs, 0..{@link ResourceRequest#MAX_GPUS}
 * @param gpuModel       product name of its GPUs (for example {@code A100-SXM4-80GB}); "" without GPUs
 * @param gpuMemoryBytes memory of each GPU, or 0 when unknown
 * @param labels         node labels, used by pod node selectors
 * @param topology       zone, rack and NVLink domain
 * @param schedulable    false when cordoned
 * @param taints         taints; pods must tolerate the repelling ones
 */
public record NodeSpec(String name, long cpuMilli, long memoryBytes, int gpus, String gpuModel, long gpuMemoryBytes,
                       Map<String, String> labels, Topology topology, boolean schedulable, List<Taint> taints) {

    public NodeSpec {
        Objects.requireNonNull(name, "node name");
        gpuModel = gpuModel == null ? "" : gpuModel;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        topology = topology == null ? Topology.NONE : topology;
        taints = taints == null ? List.of() : List.copyOf(taints);
        if (name.isEmpty()) {
            throw new InvalidSpecException("node", "<unnamed>", "name", "must not be empty");
        }
        if (cpuMilli < 0) {
            throw new InvalidSpecException("node", name, "cpuMilli", "must not be negative, got " + cpuMilli);
        }
        if (memoryBytes < 0) {
            throw new InvalidSpecException("node", name, "memoryBytes", "must not be negative, got " + memoryBytes);
        }
        if (gpus < 0 || gpus > ResourceRequest.MAX_GPUS) {
            throw new InvalidSpecException("node", name, "gpus", "must be 0.." + ResourceRequest.MAX_GPUS + ", got " + gpus);
        }
        if (gpus > 0 && gpuModel.isEmpty()) {
            throw new InvalidSpecException("node", name, "gpuModel", "must be set when the node has GPUs (gpus=" + gpus + ")");
        }
        if (gpuMemoryBytes < 0) {
            throw new InvalidSpecException("node", name, "gpuMemoryBytes", "must not be negative, got " + gpuMemoryBytes);
        }
    }

    /** A schedulable, untainted, unlabelled node: what traces describe. */
    public static NodeSpec of(String name, long cpuMilli, long memoryBytes, int gpus, String gpuModel) {
        return new NodeSpec(name, cpuMilli, memoryBytes, gpus, gpuModel, 0, Map.of(), Topology.NONE, true, List.of());
    }

    public NodeSpec withSchedulable(boolean value) {
        return new NodeSpec(name, cpuMilli, memoryBytes, gpus, gpuModel, gpuMemoryBytes, labels, topology, value, taints);
    }

    public NodeSpec withTaints(List<Taint> value) {
        return new NodeSpec(name, cpuMilli, memoryBytes, gpus, gpuModel, gpuMemoryBytes, labels, topology, schedulable, value);
    }

    public NodeSpec withLabels(Map<String, String> value) {
        return new NodeSpec(name, cpuMilli, memoryBytes, gpus, gpuModel, gpuMemoryBytes, value, topology, schedulable, taints);
    }

    public NodeSpec withTopology(Topology value) {
        return new NodeSpec(name, cpuMilli, memoryBytes, gpus, gpuModel, gpuMemoryBytes, labels, value, schedulable, taints);
    }
}
