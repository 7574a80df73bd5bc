package io.gantry.core.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A pod as the scheduler sees it.
 *
 * @param id            unique id chosen by the driver (the plugin maps pod UIDs, the simulator counts)
 * @param name          human name used in every message, for example {@code team-a/train-0}
 * @param request       resources asked
 * @param priority      higher runs first and may preempt lower
 * @param queue         the queue whose quota it uses
 * @param workloadClass training or inference; picks the placement policy
 * @param gpuModels     acceptable GPU models; empty means any
 * @param nodeSelector  labels a node must carry, all of them
 * @param tolerations   taints this pod tolerates
 * @param gang          key of the gang it belongs to, or "" when it runs alone
 */
public record PodSpec(long id, String name, ResourceRequest request, int priority, String queue,
                      WorkloadClass workloadClass, Set<String> gpuModels, Map<String, String> nodeSelector,
                      List<Toleration> tolerations, String gang) {

    public static final String DEFAULT_QUEUE = "default";

    public PodSpec {
        Objects.requireNonNull(name, "pod name");
        if (name.isEmpty()) {
            throw new InvalidSpecException("pod", "<unnamed>", "name", "must not be empty");
        }
        Objects.requireNonNull(request, () -> "pod " + name + ": request");
        request.validate(name);
        queue = queue == null || queue.isEmpty() ? DEFAULT_QUEUE : queue;
        workloadClass = workloadClass == null ? WorkloadClass.TRAINING : workloadClass;
        gpuModels = gpuModels == null ? Set.of() : Set.copyOf(gpuModels);
        nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
        tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
        gang = gang == null ? "" : gang;
        for (String model : gpuModels) {
            if (model.isBlank()) {
                throw new InvalidSpecException("pod", name, "gpuModels", "must not contain an empty model name");
            }
        }
    }

    /** A pod with no constraints beyond its request and acceptable GPU models: what traces describe. */
    public static PodSpec of(long id, String name, ResourceRequest request, Set<String> gpuModels) {
        return new PodSpec(id, name, request, 0, DEFAULT_QUEUE, WorkloadClass.TRAINING, gpuModels, Map.of(), List.of(), "");
    }

    public PodSpec withPriority(int value) {
        return new PodSpec(id, name, request, value, queue, workloadClass, gpuModels, nodeSelector, tolerations, gang);
    }

    public PodSpec withWorkloadClass(WorkloadClass value) {
        return new PodSpec(id, name, request, priority, queue, value, gpuModels, nodeSelector, tolerations, gang);
    }

    public PodSpec withNodeSelector(Map<String, String> value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, value, tolerations, gang);
    }

    public PodSpec withTolerations(List<Toleration> value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, nodeSelector, value, gang);
    }

    public PodSpec withGang(String value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, nodeSelector, tolerations, value);
    }
}
