package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.Taint;
import io.gantry.core.model.TaintEffect;
import io.gantry.core.model.Topology;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeAndGangTranslatorTest {

    private static NodeBuilder node(String gpus, Map<String, String> labels) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName("n1").withLabels(labels).endMetadata()
                .withNewSpec().endSpec().withNewStatus().addToAllocatable("cpu", new Quantity("95500m"))
                .addToAllocatable("memory", new Quantity("1000Gi")).endStatus();
        if (gpus != null) {
            b.editStatus().addToAllocatable("nvidia.com/gpu", new Quantity(gpus)).endStatus();
        }
        return b;
    }

    @Test
    void gpuFeatureDiscoveryLabelsTopologyCordonAndTaints() {
        Node n = node("8", Map.of("nvidia.com/gpu.product", "H100-SXM5-80GB", "nvidia.com/gpu.memory", "81559",
                "topology.kubernetes.io/zone", "us-east-1a", "example.com/rack", "r12", "nvidia.com/gpu.clique", "c1.0"))
                .editSpec().withUnschedulable(true).addNewTaint().withKey("nvidia.com/gpu").withEffect("NoSchedule").endTaint().endSpec()
                .build();
        NodeSpec spec = new NodeTranslator("example.com/rack").translate(n);
        assertThat(spec.cpuMilli()).isEqualTo(95_500);
        assertThat(spec.memoryBytes()).isEqualTo(1000L << 30);
        assertThat(spec.gpus()).isEqualTo(8);
        assertThat(spec.gpuModel()).isEqualTo("H100-SXM5-80GB");
        assertThat(spec.gpuMemoryBytes()).isEqualTo(81_559L << 20);
        assertThat(spec.topology()).isEqualTo(new Topology("us-east-1a", "r12", "c1.0"));
        assertThat(spec.schedulable()).isFalse();
        assertThat(spec.taints()).containsExactly(new Taint("nvidia.com/gpu", "", TaintEffect.NO_SCHEDULE));
    }

    @Test
    void gpusWithoutAProductLabelGetAModelNoPodNames() {
        assertThat(new NodeTranslator("rack").translate(node("4", Map.of()).build()).gpuModel())
                .isEqualTo(NodeTranslator.UNLABELLED_GPU_MODEL);
        assertThat(new NodeTranslator("rack").translate(node(null, Map.of()).build()).gpus()).isZero();
    }

    @Test
    void impossibleNodesNameTheField() {
        assertThatThrownBy(() -> new NodeTranslator("rack").translate(node("32", Map.of("nvidia.com/gpu.product", "X")).build()))
                .hasMessage("node n1: status.allocatable[nvidia.com/gpu] must be at most 16, got 32");
        assertThatThrownBy(() -> new NodeTranslator("rack").translate(node("8", Map.of("nvidia.com/gpu.memory", "80GB")).build()))
                .hasMessage("node n1: metadata.labels[nvidia.com/gpu.memory] must be a whole number of MiB, got \"80GB\"");
    }

    private static PodGroup group(Integer minMember, Integer timeout, Map<String, String> annotations) {
        PodGroup g = new PodGroup();
        g.getMetadata().setNamespace("ml");
        g.getMetadata().setName("llama");
        g.getMetadata().setAnnotations(annotations);
        PodGroup.Spec spec = new PodGroup.Spec();
        spec.setMinMember(minMember);
        spec.setScheduleTimeoutSeconds(timeout);
        g.setSpec(spec);
        return g;
    }

    @Test
    void podGroupSpecAndTopologyAnnotations() {
        GangSpec spec = new GangTranslator(600).translate(group(4, null,
                Map.of("gantry.io/topology", "rack", "gantry.io/topology-mode", "required")));
        assertThat(spec).isEqualTo(new GangSpec("ml/llama", 4, 600_000_000_000L, TopologyLevel.RACK, true));
        assertThat(new GangTranslator(600).translate(group(2, 30, null)))
                .isEqualTo(new GangSpec("ml/llama", 2, 30_000_000_000L, TopologyLevel.NONE, false));
    }

    @Test
    void badPodGroupsNameTheField() {
        assertThatThrownBy(() -> new GangTranslator(0).translate(group(0, null, null)))
                .hasMessage("PodGroup ml/llama: spec.minMember must be at least 1, got 0");
        assertThatThrownBy(() -> new GangTranslator(0).translate(group(2, -5, null)))
                .hasMessage("PodGroup ml/llama: spec.scheduleTimeoutSeconds must not be negative, got -5");
        assertThatThrownBy(() -> new GangTranslator(0).translate(group(2, null, Map.of("gantry.io/topology", "datacenter"))))
                .hasMessage("PodGroup ml/llama: metadata.annotations[gantry.io/topology] must be zone, rack or nvlink, got \"datacenter\"");
        assertThatThrownBy(() -> new GangTranslator(0).translate(group(2, null, Map.of("gantry.io/topology-mode", "strict"))))
                .hasMessage("PodGroup ml/llama: metadata.annotations[gantry.io/topology-mode] must be required or preferred, got \"strict\"");
    }
}
