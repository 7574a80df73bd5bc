package io.gantry.simulator.trace;

import java.util.Objects;

/**
 * One node of a cluster as a trace describes it.
 *
 * @param name      unique within its trace, for example {@code openb-node-0042}
 * @param cpuMilli  CPU capacity in thousandths of a core
 * @param memoryMib memory capacity in MiB
 * @param gpus      number of GPUs, 0..{@value #MAX_GPUS_PER_NODE}
 * @param gpuModel  model of all its GPUs, for example {@code V100M32}; {@code ""} when it has none
 * @throws IllegalArgumentException when a value is out of range or the GPU count and model disagree
 */
public record TraceNode(String name, long cpuMilli, long memoryMib, int gpus, String gpuModel) {

    /** Largest GPU count accepted; no server sold today carries more, so more means a broken file. */
    public static final int MAX_GPUS_PER_NODE = 16;

    public TraceNode {
        Objects.requireNonNull(name, "node name");
        Objects.requireNonNull(gpuModel, () -> "node " + name + ": gpuModel");
        String node = "node " + name;
        if (name.isBlank()) {
            throw new InvalidTraceFieldException(node, "sn", "expected a non-empty name");
        }
        if (cpuMilli < 0) {
            throw new InvalidTraceFieldException(node, "cpu_milli", "expected a non-negative integer, got " + cpuMilli);
        }
        if (memoryMib < 0) {
            throw new InvalidTraceFieldException(node, "memory_mib", "expected a non-negative integer, got " + memoryMib);
        }
        if (gpus < 0 || gpus > MAX_GPUS_PER_NODE) {
            throw new InvalidTraceFieldException(node, "gpu",
                    "expected an integer 0.." + MAX_GPUS_PER_NODE + ", got " + gpus);
        }
        if (gpus > 0 && gpuModel.isBlank()) {
            throw new InvalidTraceFieldException(node, "model", "expected a GPU model for a node with " + gpus + " GPUs, got \"\"");
        }
        if (gpus == 0 && !gpuModel.isEmpty()) {
            throw new InvalidTraceFieldException(node, "model", "expected \"\" for a node without GPUs, got \"" + gpuModel + "\"");
        }
    }
}
