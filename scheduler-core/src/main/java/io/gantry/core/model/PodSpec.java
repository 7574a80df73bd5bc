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
 * @param service       the service it is a replica of and the constraints among its replicas;
 *                      {@link ServiceConstraints#NONE} when it belongs to none
 */
public record PodSpec(long id, String name, ResourceRequest request, int priority, String queue,
                      WorkloadClass workloadClass, Set<String> gpuModels, Map<String, String> nodeSelector,
                      List<Toleration> tolerations, String gang, ServiceConstraints service) {

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
        service = service == null ? ServiceConstraints.NONE : service;
        for (String model : gpuModels) {
            if (model.isBlank()) {
                throw new InvalidSpecException("pod", name, "gpuModels", "must not contain an empty model name");
            }
        }
    }

    /** A pod of no service: the form every caller used before service constraints existed. */
    public PodSpec(long id, String name, ResourceRequest request, int priority, String queue,
                   WorkloadClass workloadClass, Set<String> gpuModels, Map<String, String> nodeSelector,
                   List<Toleration> tolerations, String gang) {
        this(id, name, request, priority, queue, workloadClass, gpuModels, nodeSelector, tolerations, gang, ServiceConstraints.NONE);
    }

    /** A pod with no constraints beyond its request and acceptable GPU models: what traces describe. */
    public static PodSpec of(long id, String name, ResourceRequest request, Set<String> gpuModels) {
        return new PodSpec(id, name, request, 0, DEFAULT_QUEUE, WorkloadClass.TRAINING, gpuModels, Map.of(), List.of(), "");
    }

    public PodSpec withPriority(int value) {
        return new PodSpec(id, name, request, value, queue, workloadClass, gpuModels, nodeSelector, tolerations, gang, service);
    }

    public PodSpec withWorkloadClass(WorkloadClass value) {
        return new PodSpec(id, name, request, priority, queue, value, gpuModels, nodeSelector, tolerations, gang, service);
    }

    public PodSpec withNodeSelector(Map<String, String> value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, value, tolerations, gang, service);
    }

    public PodSpec withTolerations(List<Toleration> value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, nodeSelector, value, gang, service);
    }

    public PodSpec withGang(String value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, nodeSelector, tolerations, value, service);
    }

    public PodSpec withService(ServiceConstraints value) {
        return new PodSpec(id, name, request, priority, queue, workloadClass, gpuModels, nodeSelector, tolerations, gang, value);
    }
}
