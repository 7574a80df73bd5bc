package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;

import java.util.Objects;

/**
 * Pods that fit exactly the same nodes: same request, acceptable GPU models, node selector and
 * tolerations. Parked pods are filed by class, so an event that frees capacity on a node tests one
 * pod per class, not every parked pod.
 */
final class ShapeClass {
    final int id;
    final ResourceRequest request;
    final PodSpec example;
    ShapeClass nextWithSameHash;
    /** Why pods of this class last failed to fit, shared by them; null until one fails. */
    String reason;
    long explainedAt;

    ShapeClass(int id, PodSpec example) {
        this.id = id;
        this.request = example.request();
        this.example = example;
    }

    static long hash(PodSpec spec) {
        ResourceRequest r = spec.request();
        long h = r.cpuMilli() * 31 + r.memoryBytes();
        h = h * 31 + r.gpus();
        h = h * 31 + r.gpuMilli();
        h = h * 31 + r.gpuMemoryBytes();
        h = h * 31 + spec.gpuModels().hashCode();
        h = h * 31 + spec.nodeSelector().hashCode();
        h = h * 31 + spec.tolerations().hashCode();
        return h;
    }

    boolean matches(PodSpec spec) {
        return request.equals(spec.request()) && example.gpuModels().equals(spec.gpuModels())
                && example.nodeSelector().equals(spec.nodeSelector()) && Objects.equals(example.tolerations(), spec.tolerations());
    }
}
