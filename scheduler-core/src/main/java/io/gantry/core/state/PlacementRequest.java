package io.gantry.core.state;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
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

    PlacementRequest(PodSpec spec, long modelMask) {
        reset(spec, modelMask);
    }

    /** Reuses this object for another pod, so pooled pod records allocate nothing per pod. */
    void reset(PodSpec spec, long modelMask) {
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
