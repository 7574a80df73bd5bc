package io.gantry.core.state;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.Taint;
import io.gantry.core.model.Toleration;

import java.util.List;
import java.util.Map;

/**
 * A pod prepared for the hot path: its spec, plus the fields every fit check reads, unpacked into
 * primitives once when the pod enters the scheduler instead of on each of thousands of node checks.
 * Made by {@link ClusterState#prepare(PodSpec)} (or refilled by {@link ClusterState#prepare(PodSpec, PlacementRequest)});
 * only valid for that state's GPU model registry.
 */
public final class PlacementRequest {
    private PodSpec spec;
    long cpuMilli;
    long memoryBytes;
    int gpus;
    int gpuMilli;
    long gpuMemoryBytes;
    long modelMask;
    private boolean hasNodeSelector;
    private boolean toleratesEverything;
    /** Dense id of the pod's service in the state, or {@link ServiceCounts#NO_SERVICE}. */
    int serviceId = ServiceCounts.NO_SERVICE;
    /** Per-node cap of the service's replicas, or {@link ServiceConstraints#NO_CAP}. */
    int maxPerNode;
    boolean hardSpread;
    boolean softSpread;
    /** For one decision only: the node pools (bits of {@link ClusterState#registerPool}) a node must be in; 0 = any. */
    int poolMask;

    PlacementRequest(PodSpec spec, long modelMask, int serviceId) {
        reset(spec, modelMask, serviceId);
    }

    /** Reuses this object for another pod, so pooled pod records allocate nothing per pod. */
    void reset(PodSpec spec, long modelMask, int serviceId) {
        this.spec = spec;
        ResourceRequest r = spec.request();
        this.cpuMilli = r.cpuMilli();
        this.memoryBytes = r.memoryBytes();
        this.gpus = r.gpus();
        this.gpuMilli = r.gpuMilli();
        this.gpuMemoryBytes = r.gpuMemoryBytes();
        this.modelMask = modelMask;
        this.hasNodeSelector = !spec.nodeSelector().isEmpty();
        boolean all = false;
        for (Toleration t : spec.tolerations()) {
            all |= t.key().isEmpty() && t.exists() && t.effect() == null;
        }
        this.toleratesEverything = all;
        ServiceConstraints service = spec.service();
        this.serviceId = serviceId;
        this.maxPerNode = service.maxPerNode();
        boolean hard = false;
        boolean soft = false;
        for (int i = 0; i < service.spread().size(); i++) {
            SpreadConstraint c = service.spread().get(i);
            hard |= c.hard();
            soft |= !c.hard();
        }
        this.hardSpread = hard;
        this.softSpread = soft;
        this.poolMask = 0;
    }

    /** Dense id of the pod's service in the state that prepared it, or -1 when it belongs to none. */
    public int serviceId() {
        return serviceId;
    }

    /** The pod's service constraints (the same as {@code spec().service()}). */
    public ServiceConstraints service() {
        return spec.service();
    }

    /**
     * Whether a node may be ruled out by the pod's service (a per-node cap or a spread constraint): then
     * nodes of one node class no longer fit or score alike, since each holds its own replicas.
     */
    public boolean hasServiceRules() {
        return maxPerNode != ServiceConstraints.NO_CAP || hardSpread || softSpread;
    }

    /** Whether a {@code DoNotSchedule} spread constraint applies (fit depends on replicas elsewhere). */
    public boolean hasHardSpread() {
        return hardSpread;
    }

    /** Whether a {@code ScheduleAnyway} spread constraint applies (score depends on replicas elsewhere). */
    public boolean hasSoftSpread() {
        return softSpread;
    }

    /**
     * Restricts the next decisions to nodes of the pools in {@code mask} (bits from
     * {@link ClusterState#registerPool}); 0 lifts the restriction. The agent sets it around one decision
     * to prefer a pool and lifts it to overflow.
     */
    public void restrictToPools(int mask) {
        this.poolMask = mask;
    }

    public int poolRestriction() {
        return poolMask;
    }

    public PodSpec spec() {
        return spec;
    }

    public long id() {
        return spec.id();
    }

    public String name() {
        return spec.name();
    }

    public long cpuMilli() {
        return cpuMilli;
    }

    public long memoryBytes() {
        return memoryBytes;
    }

    /** Whole GPUs asked. */
    public int gpus() {
        return gpus;
    }

    /** Fractional share asked, 0 when none. */
    public int gpuMilli() {
        return gpuMilli;
    }

    public boolean asksGpu() {
        return gpus > 0 || gpuMilli > 0;
    }

    /** GPU milli asked in total: 1000 per whole GPU, or the share. */
    public long totalGpuMilli() {
        return gpus > 0 ? (long) gpus * ResourceRequest.MILLI_PER_GPU : gpuMilli;
    }

    /** Acceptable GPU models as a mask of {@link GpuModelRegistry} ids; 0 accepts any. */
    public long modelMask() {
        return modelMask;
    }

    boolean hasNodeSelector() {
        return hasNodeSelector;
    }

    boolean selectorMatches(Map<String, String> labels) {
        if (!hasNodeSelector) {
            return true;
        }
        for (Map.Entry<String, String> required : spec.nodeSelector().entrySet()) {
            if (!required.getValue().equals(labels.get(required.getKey()))) {
                return false;
            }
        }
        return true;
    }

    boolean toleratesAll(List<Taint> taints) {
        if (toleratesEverything) {
            return true;
        }
        for (int i = 0; i < taints.size(); i++) {
            Taint taint = taints.get(i);
            if (taint.repels() && !tolerates(taint)) {
                return false;
            }
        }
        return true;
    }

    private boolean tolerates(Taint taint) {
        List<Toleration> tolerations = spec.tolerations();
        for (int i = 0; i < tolerations.size(); i++) {
            if (tolerations.get(i).tolerates(taint)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "PlacementRequest[" + spec.name() + " " + spec.request() + "]";
    }
}
