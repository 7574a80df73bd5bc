package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.core.model.InvalidSpecException;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.Taint;
import io.gantry.core.model.Topology;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes node into a {@link NodeSpec}: allocatable CPU, memory and {@code nvidia.com/gpu}; the GPU
 * model and memory from GPU Feature Discovery labels; zone, rack and NVLink clique; cordon and taints.
 */
public final class NodeTranslator {
    /** Model of GPUs on a node without the GPU Feature Discovery product label: pods naming a model never land there. */
    public static final String UNLABELLED_GPU_MODEL = "unlabelled-gpu";
    private static final long MIB = 1024L * 1024L;

    private final String rackLabel;

    public NodeTranslator(String rackLabel) {
        this.rackLabel = rackLabel;
    }

    public NodeSpec translate(Node node) {
        String name = node.getMetadata().getName();
        Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? Map.of() : node.getStatus().getAllocatable();
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        long cpu = allocatable.containsKey("cpu")
                ? Quantities.milli(allocatable.get("cpu"), "node", name, "status.allocatable.cpu") : 0;
        long memory = allocatable.containsKey("memory")
                ? Quantities.bytes(allocatable.get("memory"), "node", name, "status.allocatable.memory") : 0;
        int gpus = allocatable.containsKey(KubeNames.GPU_RESOURCE)
                ? Quantities.count(allocatable.get(KubeNames.GPU_RESOURCE), "node", name,
                "status.allocatable[" + KubeNames.GPU_RESOURCE + "]") : 0;
        if (gpus > ResourceRequest.MAX_GPUS) {
            throw new TranslationException("node", name, "status.allocatable[" + KubeNames.GPU_RESOURCE + "]",
                    "must be at most " + ResourceRequest.MAX_GPUS + ", got " + gpus);
        }
        String model = gpus == 0 ? "" : labels.getOrDefault(KubeNames.GPU_PRODUCT_LABEL, UNLABELLED_GPU_MODEL);
        long gpuMemory = 0;
        String gpuMemoryLabel = labels.get(KubeNames.GPU_MEMORY_LABEL);
        if (gpuMemoryLabel != null && gpus > 0) {
            try {
                gpuMemory = Long.parseLong(gpuMemoryLabel.trim()) * MIB;
            } catch (NumberFormatException e) {
                throw new TranslationException("node", name, KubeNames.label(KubeNames.GPU_MEMORY_LABEL),
                        "must be a whole number of MiB, got \"" + gpuMemoryLabel + "\"");
            }
            if (gpuMemory < 0) {
                throw new TranslationException("node", name, KubeNames.label(KubeNames.GPU_MEMORY_LABEL),
                        "must not be negative, got \"" + gpuMemoryLabel + "\"");
            }
        }
        Topology topology = new Topology(labels.get(KubeNames.ZONE_LABEL), labels.get(rackLabel),
                labels.get(KubeNames.GPU_CLIQUE_LABEL));
        boolean schedulable = node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        List<Taint> taints = new ArrayList<>();
        if (node.getSpec() != null && node.getSpec().getTaints() != null) {
            for (int i = 0; i < node.getSpec().getTaints().size(); i++) {
                io.fabric8.kubernetes.api.model.Taint t = node.getSpec().getTaints().get(i);
                taints.add(new Taint(t.getKey() == null ? "" : t.getKey(), t.getValue(),
                        Tolerations.effect(t.getEffect(), "node", name, "spec.taints[" + i + "].effect", false)));
            }
        }
        try {
            return new NodeSpec(name, cpu, memory, gpus, model, gpuMemory, labels, topology, schedulable, taints);
        } catch (InvalidSpecException e) {
            throw new TranslationException("node", name, "spec", e.getMessage());
        }
    }
}
