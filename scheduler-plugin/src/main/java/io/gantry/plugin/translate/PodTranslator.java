package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.gantry.core.model.InvalidSpecException;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.WorkloadClass;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes pod into a {@link PodSpec}.
 *
 * <ul>
 *   <li>Requests of CPU, memory and {@code nvidia.com/gpu} (the limit where a container sets no request),
 *       as the API server computes them: the larger of the containers' sum and any one init container,
 *       plus the pod overhead.</li>
 *   <li>A fractional share of one GPU by annotation {@code gantry.io/gpu-milli} (1..999).</li>
 *   <li>Acceptable GPU models from {@code nvidia.com/gpu.product} in the node selector or in a required
 *       node affinity ({@code In}), and from annotation {@code gantry.io/gpu-models} ({@code A|B}); both
 *       together must share a model.</li>
 *   <li>Priority, queue ({@code gantry.io/queue}, else Kueue's {@code kueue.x-k8s.io/queue-name}), workload
 *       class ({@code gantry.io/workload}, else inference for pods owned by a ReplicaSet, StatefulSet or
 *       LeaderWorkerSet), tolerations, and the PodGroup label.</li>
 *   <li>Topology spread constraints, pod anti-affinity by hostname and the owning ReplicaSet / StatefulSet /
 *       LeaderWorkerSet as the core's service constraints ({@link ServiceTranslator}).</li>
 * </ul>
 * Terms Gantry cannot honour yet (pod affinity, spread or anti-affinity about other pods, node affinity
 * other than {@code In}) are refused with a message naming them, never silently ignored.
 */
public final class PodTranslator {
    private static final Set<String> INFERENCE_OWNERS = Set.of("ReplicaSet", "StatefulSet", "LeaderWorkerSet");

    private final ServiceTranslator services;

    /** Spread constraints name the rack level by {@code rackLabel}, as nodes do. */
    public PodTranslator(String rackLabel) {
        this.services = new ServiceTranslator(rackLabel);
    }

    public PodTranslator() {
        this(KubeNames.DEFAULT_RACK_LABEL);
    }

    /** The {@code namespace/name} Gantry uses for a pod in every message and as its core name. */
    public static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** The gang key of the pod's PodGroup, {@code namespace/group}, or "" when it has none. */
    public static String gangKey(Pod pod) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        String group = labels == null ? null : labels.get(KubeNames.POD_GROUP_LABEL);
        return group == null || group.isEmpty() ? "" : pod.getMetadata().getNamespace() + "/" + group;
    }

    /** Translates a pod Gantry is to schedule; every constraint must be understood. */
    public PodSpec translate(Pod pod, long id) {
        String name = key(pod);
        ResourceRequest request = request(pod, name);
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        Map<String, String> nodeSelector = new HashMap<>();
        if (pod.getSpec().getNodeSelector() != null) {
            nodeSelector.putAll(pod.getSpec().getNodeSelector());
        }
        Set<String> models = modelsFromAffinity(pod, name, nodeSelector);
        String selectedModel = nodeSelector.get(KubeNames.GPU_PRODUCT_LABEL);
        if (selectedModel != null) {
            models = intersect(models, Set.of(selectedModel), name, "spec.nodeSelector[" + KubeNames.GPU_PRODUCT_LABEL + "]");
        }
        String annotated = annotation(pod, KubeNames.GPU_MODELS_ANNOTATION);
        if (annotated != null) {
            models = intersect(models, parseModels(annotated, name), name, KubeNames.annotation(KubeNames.GPU_MODELS_ANNOTATION));
        }
        ServiceConstraints service = services.constraints(pod, name);
        int priority = pod.getSpec().getPriority() == null ? 0 : pod.getSpec().getPriority();
        String queue = labels.getOrDefault(KubeNames.QUEUE_LABEL, labels.getOrDefault(KubeNames.KUEUE_QUEUE_LABEL, PodSpec.DEFAULT_QUEUE));
        try {
            return new PodSpec(id, name, request, priority, queue, workloadClass(pod, name, labels), models, nodeSelector,
                    Tolerations.of(pod.getSpec().getTolerations(), name), gangKey(pod), service);
        } catch (InvalidSpecException e) {
            throw new TranslationException("pod", name, "spec", e.getMessage());
        }
    }

    /**
     * Translates a pod already bound by someone else: only what it takes from its node matters, so
     * constraints Gantry does not understand are no reason to ignore the capacity it uses.
     */
    public PodSpec translateBound(Pod pod, long id) {
        String name = key(pod);
        return new PodSpec(id, name, request(pod, name), pod.getSpec().getPriority() == null ? 0 : pod.getSpec().getPriority(),
                PodSpec.DEFAULT_QUEUE, WorkloadClass.TRAINING, Set.of(), Map.of(), List.of(), gangKey(pod), services.serviceOfBound(pod, name));
    }

    /** The resources the pod asks, with the fractional share annotation applied. */
    public ResourceRequest request(Pod pod, String name) {
        long cpu = 0;
        long memory = 0;
        long gpus = 0;
        List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        for (int i = 0; i < containers.size(); i++) {
            String field = "spec.containers[" + i + "].resources";
            ResourceRequirements r = containers.get(i).getResources();
            cpu += resource(r, "cpu", name, field, Kind.MILLI);
            memory += resource(r, "memory", name, field, Kind.BYTES);
            gpus += resource(r, KubeNames.GPU_RESOURCE, name, field, Kind.COUNT);
        }
        List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
        for (int i = 0; i < inits.size(); i++) {
            String field = "spec.initContainers[" + i + "].resources";
            ResourceRequirements r = inits.get(i).getResources();
            cpu = Math.max(cpu, resource(r, "cpu", name, field, Kind.MILLI));
            memory = Math.max(memory, resource(r, "memory", name, field, Kind.BYTES));
            gpus = Math.max(gpus, resource(r, KubeNames.GPU_RESOURCE, name, field, Kind.COUNT));
        }
        Map<String, Quantity> overhead = pod.getSpec().getOverhead();
        if (overhead != null) {
            if (overhead.containsKey("cpu")) {
                cpu += Quantities.milli(overhead.get("cpu"), "pod", name, "spec.overhead.cpu");
            }
            if (overhead.containsKey("memory")) {
                memory += Quantities.bytes(overhead.get("memory"), "pod", name, "spec.overhead.memory");
            }
        }
        String share = annotation(pod, KubeNames.GPU_MILLI_ANNOTATION);
        int gpuMilli = 0;
        if (share != null) {
            String field = KubeNames.annotation(KubeNames.GPU_MILLI_ANNOTATION);
            try {
                gpuMilli = Integer.parseInt(share.trim());
            } catch (NumberFormatException e) {
                throw new TranslationException("pod", name, field, "must be a whole number 1..999, got \"" + share + "\"");
            }
            if (gpuMilli < 1 || gpuMilli > 999) {
                throw new TranslationException("pod", name, field, "must be 1..999, got \"" + share + "\"");
            }
            if (gpus > 1) {
                throw new TranslationException("pod", name, field, "asks a share of one GPU, but the containers request "
                        + KubeNames.GPU_RESOURCE + ": " + gpus);
            }
            gpus = 0;
        }
        if (gpus > ResourceRequest.MAX_GPUS) {
            throw new TranslationException("pod", name, "spec.containers[*].resources[" + KubeNames.GPU_RESOURCE + "]",
                    "must total at most " + ResourceRequest.MAX_GPUS + " (one node), got " + gpus);
        }
        try {
            return new ResourceRequest(cpu, memory, (int) gpus, gpuMilli, 0).validate(name);
        } catch (InvalidSpecException e) {
            throw new TranslationException("pod", name, "spec.containers[*].resources", e.getMessage());
        }
    }

    private enum Kind { MILLI, BYTES, COUNT }

    private static long resource(ResourceRequirements r, String resource, String pod, String field, Kind kind) {
        if (r == null) {
            return 0;
        }
        Quantity q = r.getRequests() == null ? null : r.getRequests().get(resource);
        String where = field + ".requests[" + resource + "]";
        if (q == null && r.getLimits() != null) {
            q = r.getLimits().get(resource);
            where = field + ".limits[" + resource + "]";
        }
        if (q == null) {
            return 0;
        }
        return switch (kind) {
            case MILLI -> Quantities.milli(q, "pod", pod, where);
            case BYTES -> Quantities.bytes(q, "pod", pod, where);
            case COUNT -> Quantities.count(q, "pod", pod, where);
        };
    }

    private static Set<String> modelsFromAffinity(Pod pod, String name, Map<String, String> nodeSelector) {
        if (pod.getSpec().getAffinity() == null || pod.getSpec().getAffinity().getNodeAffinity() == null
                || pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return Set.of();
        }
        List<NodeSelectorTerm> terms = pod.getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        if (terms == null || terms.isEmpty()) {
            return Set.of();
        }
        String base = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
        Set<String> models = new LinkedHashSet<>();
        for (int t = 0; t < terms.size(); t++) {
            NodeSelectorTerm term = terms.get(t);
            if (term.getMatchFields() != null && !term.getMatchFields().isEmpty()) {
                throw new TranslationException("pod", name, base + "[" + t + "].matchFields", "is not supported by Gantry yet");
            }
            List<NodeSelectorRequirement> expressions = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
            for (int e = 0; e < expressions.size(); e++) {
                NodeSelectorRequirement req = expressions.get(e);
                String field = base + "[" + t + "].matchExpressions[" + e + "]";
                List<String> values = req.getValues() == null ? List.of() : req.getValues();
                if (!"In".equals(req.getOperator())) {
                    throw new TranslationException("pod", name, field, "operator " + req.getOperator()
                            + " on " + req.getKey() + " is not supported by Gantry yet (only In)");
                }
                if (KubeNames.GPU_PRODUCT_LABEL.equals(req.getKey())) {
                    if (values.isEmpty()) {
                        throw new TranslationException("pod", name, field + ".values", "must name at least one GPU model");
                    }
                    models.addAll(values);
                } else if (terms.size() == 1 && values.size() == 1) {
                    nodeSelector.put(req.getKey(), values.get(0));
                } else {
                    throw new TranslationException("pod", name, field, "on " + req.getKey()
                            + " with several values or several terms is not supported by Gantry yet (only "
                            + KubeNames.GPU_PRODUCT_LABEL + " may list alternatives)");
                }
            }
        }
        return models;
    }

    private static WorkloadClass workloadClass(Pod pod, String name, Map<String, String> labels) {
        String declared = labels.get(KubeNames.WORKLOAD_LABEL);
        if (declared != null) {
            return switch (declared) {
                case "training" -> WorkloadClass.TRAINING;
                case "inference" -> WorkloadClass.INFERENCE;
                default -> throw new TranslationException("pod", name, KubeNames.label(KubeNames.WORKLOAD_LABEL),
                        "must be training or inference, got \"" + declared + "\"");
            };
        }
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners != null) {
            for (OwnerReference owner : owners) {
                if (INFERENCE_OWNERS.contains(owner.getKind())) {
                    return WorkloadClass.INFERENCE;
                }
            }
        }
        return WorkloadClass.TRAINING;
    }

    private static Set<String> parseModels(String value, String pod) {
        Set<String> models = new LinkedHashSet<>();
        for (String part : value.split("\\|", -1)) {
            String model = part.trim();
            if (model.isEmpty()) {
                throw new TranslationException("pod", pod, KubeNames.annotation(KubeNames.GPU_MODELS_ANNOTATION),
                        "must list GPU models separated by |, with none empty, got \"" + value + "\"");
            }
            models.add(model);
        }
        return models;
    }

    private static Set<String> intersect(Set<String> current, Set<String> more, String pod, String field) {
        if (current.isEmpty()) {
            return more;
        }
        Set<String> both = new LinkedHashSet<>(current);
        both.retainAll(more);
        if (both.isEmpty()) {
            throw new TranslationException("pod", pod, field, "names GPU models " + more
                    + " that share none with the models the pod's other constraints allow " + current);
        }
        return both;
    }

    private static String annotation(Pod pod, String key) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
