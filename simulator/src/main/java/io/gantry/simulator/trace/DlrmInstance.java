package io.gantry.simulator.trace;

import java.util.Objects;

/**
 * One inference instance of the Alibaba GPU-disaggregated DLRM trace (cluster-trace-gpu-v2025).
 *
 * @param name              {@code instance_sn}, unique in the trace
 * @param role              {@code HN} (on a GPU node) or {@code CN} (on a CPU node)
 * @param app               {@code app_name}: the service this instance is a replica of
 * @param cpuCores          {@code cpu_request} in cores
 * @param gpus              {@code gpu_request}, whole GPUs
 * @param memoryGib         {@code memory_request} in GiB
 * @param maxPerNode        {@code max_instance_per_node}: most replicas of {@code app} on one node, or
 *                          {@link #NO_CAP} (-1 in the trace)
 * @param creationMillis    creation time in ms since the trace start, or -1: it exists from the start
 * @param deletionMillis    deletion time in ms, or -1: it outlives the trace
 */
public record DlrmInstance(String name, String role, String app, int cpuCores, int gpus, double memoryGib, int maxPerNode,
                           long creationMillis, long deletionMillis) {
    public static final int NO_CAP = -1;

    public DlrmInstance {
        Objects.requireNonNull(name, "instance name");
        String instance = "instance " + name;
        if (!role.equals("HN") && !role.equals("CN")) {
            throw new InvalidTraceFieldException(instance, "role", "expected HN or CN, got \"" + role + "\"");
        }
        if (app.isBlank()) {
            throw new InvalidTraceFieldException(instance, "app_name", "expected a non-empty service name");
        }
        if (maxPerNode == 0 || maxPerNode < NO_CAP) {
            throw new InvalidTraceFieldException(instance, "max_instance_per_node", "expected -1 (no cap) or at least 1, got " + maxPerNode);
        }
        if (creationMillis >= 0 && deletionMillis >= 0 && deletionMillis < creationMillis) {
            throw new InvalidTraceFieldException(instance, "deletion_time",
                    "expected a time >= creation_time " + creationMillis / 1000.0 + ", got " + deletionMillis / 1000.0);
        }
    }

    /** Whether it exists before the trace starts (empty creation time). */
    public boolean existsFromStart() {
        return creationMillis < 0;
    }
}
