package io.gantry.simulator.trace;

import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One pod (task) of a workload trace, with the openb semantics.
 *
 * @param name          unique within its trace, for example {@code openb-pod-0017}
 * @param cpuMilli      CPU request in thousandths of a core
 * @param memoryMib     memory request in MiB
 * @param numGpu        GPUs requested, 0..{@value #MAX_GPUS_PER_POD}
 * @param gpuMilli      share of one GPU in thousandths: 1..1000 when {@code numGpu == 1}, exactly 1000 when
 *                      {@code numGpu > 1} (whole GPUs), 0 when {@code numGpu == 0}
 * @param gpuSpec       acceptable GPU models; empty means any model. Stored sorted and immutable
 * @param qos           quality-of-service class as written in the trace ({@code LS}, {@code BE}, ...), or "" when absent
 * @param phase         the pod phase recorded by the trace ({@code Running}, {@code Pending}, ...), or "" when absent
 * @param creationTime  seconds since the trace start, or -1 when unknown
 * @param deletionTime  seconds since the trace start, or -1 when unknown; never before {@code creationTime}
 * @param scheduledTime seconds since the trace start, or -1 when unknown (openb leaves it empty for pending pods)
 * @throws IllegalArgumentException when a value is out of range or the GPU fields disagree
 */
public record TracePod(String name, long cpuMilli, long memoryMib, int numGpu, int gpuMilli, Set<String> gpuSpec,
                       String qos, String phase, long creationTime, long deletionTime, long scheduledTime) {

    /** Largest GPU count accepted for one pod; more than any node carries means a broken file. */
    public static final int MAX_GPUS_PER_POD = 16;
    /** {@code gpuMilli} of a whole GPU. */
    public static final int MILLI_PER_GPU = 1000;
    /** The value of a time that the trace does not give. */
    public static final long UNKNOWN_TIME = -1;

    public TracePod {
        Objects.requireNonNull(name, "pod name");
        String pod = "pod " + name;
        Objects.requireNonNull(gpuSpec, () -> pod + ": gpuSpec");
        Objects.requireNonNull(qos, () -> pod + ": qos");
        Objects.requireNonNull(phase, () -> pod + ": phase");
        if (name.isBlank()) {
            throw new InvalidTraceFieldException(pod, "name", "expected a non-empty name");
        }
        if (cpuMilli < 0) {
            throw new InvalidTraceFieldException(pod, "cpu_milli", "expected a non-negative integer, got " + cpuMilli);
        }
        if (memoryMib < 0) {
            throw new InvalidTraceFieldException(pod, "memory_mib", "expected a non-negative integer, got " + memoryMib);
        }
        if (numGpu < 0 || numGpu > MAX_GPUS_PER_POD) {
            throw new InvalidTraceFieldException(pod, "num_gpu", "expected an integer 0.." + MAX_GPUS_PER_POD + ", got " + numGpu);
        }
        if (gpuMilli < 0 || gpuMilli > MILLI_PER_GPU) {
            throw new InvalidTraceFieldException(pod, "gpu_milli", "expected an integer 0.." + MILLI_PER_GPU + ", got " + gpuMilli);
        }
        if (numGpu == 0 && gpuMilli != 0) {
            throw new InvalidTraceFieldException(pod, "gpu_milli", "expected 0 when num_gpu is 0, got " + gpuMilli);
        }
        if (numGpu == 1 && gpuMilli == 0) {
            throw new InvalidTraceFieldException(pod, "gpu_milli", "expected 1..1000 when num_gpu is 1, got 0");
        }
        if (numGpu > 1 && gpuMilli != MILLI_PER_GPU) {
            throw new InvalidTraceFieldException(pod, "gpu_milli",
                    "expected 1000 when num_gpu is " + numGpu + " (whole GPUs), got " + gpuMilli);
        }
        for (String model : gpuSpec) {
            if (model == null || model.isBlank() || model.indexOf('|') >= 0) {
                throw new InvalidTraceFieldException(pod, "gpu_spec",
                        "expected non-empty GPU model names without '|', got " + gpuSpec);
            }
        }
        // Sorted rather than Set.copyOf: the latter iterates in an order that changes from one JVM run
        // to the next, and a simulator that picks "the first acceptable model" must be reproducible.
        gpuSpec = Collections.unmodifiableSortedSet(new TreeSet<>(gpuSpec));
        requireTime(pod, "creation_time", creationTime);
        requireTime(pod, "deletion_time", deletionTime);
        requireTime(pod, "scheduled_time", scheduledTime);
        if (creationTime != UNKNOWN_TIME && deletionTime != UNKNOWN_TIME && deletionTime < creationTime) {
            throw new InvalidTraceFieldException(pod, "deletion_time",
                    "expected a time >= creation_time " + creationTime + ", got " + deletionTime);
        }
    }

    /** True when the pod asks for no GPU at all. */
    public boolean isCpuOnly() {
        return numGpu == 0;
    }

    /** True when the pod asks for part of one GPU (GPU sharing). */
    public boolean isFractionalGpu() {
        return numGpu == 1 && gpuMilli < MILLI_PER_GPU;
    }

    /** GPU demand in thousandths of a GPU: {@code numGpu * gpuMilli}. */
    public long totalGpuMilli() {
        return (long) numGpu * gpuMilli;
    }

    private static void requireTime(String pod, String column, long seconds) {
        if (seconds < UNKNOWN_TIME) {
            throw new InvalidTraceFieldException(pod, column, "expected seconds >= 0, or -1 when unknown, got " + seconds);
        }
    }
}
