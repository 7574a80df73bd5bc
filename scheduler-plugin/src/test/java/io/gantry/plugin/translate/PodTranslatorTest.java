package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.TaintEffect;
import io.gantry.core.model.Toleration;
import io.gantry.core.model.WorkloadClass;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PodTranslatorTest {
    private final PodTranslator translator = new PodTranslator();

    private static PodBuilder pod(String cpu, String memory, String gpus) {
        ContainerBuilder c = new ContainerBuilder().withName("main").withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory)).endResources();
        if (gpus != null) {
            c.editResources().addToLimits("nvidia.com/gpu", new Quantity(gpus)).endResources();
        }
        return new PodBuilder().withNewMetadata().withNamespace("ml").withName("p").withUid("u1").endMetadata()
                .withNewSpec().withSchedulerName("gantry").addToContainers(c.build()).endSpec();
    }

    @Test
    void requestsSumContainersTakeTheLargestInitContainerAddOverheadAndUseLimitsForGpus() {
        Pod p = pod("1500m", "2Gi", "2").editSpec()
                .addNewContainer().withName("sidecar").withNewResources().addToRequests("cpu", new Quantity("250m"))
                .addToRequests("memory", new Quantity("512Mi")).endResources().endContainer()
                .addNewInitContainer().withName("init").withNewResources().addToRequests("cpu", new Quantity("4"))
                .endResources().endInitContainer()
                .withOverhead(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("64Mi")))
                .endSpec().build();
        PodSpec spec = translator.translate(p, 7);
        assertThat(spec.id()).isEqualTo(7);
        assertThat(spec.name()).isEqualTo("ml/p");
        assertThat(spec.request()).isEqualTo(new ResourceRequest(4_100, (2L << 30) + (512L << 20) + (64L << 20), 2, 0, 0));
    }

    @Test
    void fractionalShareComesFromTheAnnotation() {
        Pod p = pod("1", "1Gi", "1").editMetadata().addToAnnotations("gantry.io/gpu-milli", "250").endMetadata().build();
        assertThat(translator.translate(p, 1).request()).isEqualTo(ResourceRequest.gpuShare(1000, 1L << 30, 250));
    }

    @Test
    void badValuesNameTheFieldAndTheValue() {
        assertThatThrownBy(() -> translator.translate(pod("1", "1Gi", null).editMetadata()
                .addToAnnotations("gantry.io/gpu-milli", "1000").endMetadata().build(), 1))
                .hasMessage("pod ml/p: metadata.annotations[gantry.io/gpu-milli] must be 1..999, got \"1000\"");
        assertThatThrownBy(() -> translator.translate(pod("1", "1Gi", "2").editMetadata()
                .addToAnnotations("gantry.io/gpu-milli", "500").endMetadata().build(), 1))
                .hasMessage("pod ml/p: metadata.annotations[gantry.io/gpu-milli] asks a share of one GPU, but the containers request nvidia.com/gpu: 2");
        assertThatThrownBy(() -> translator.translate(pod("-1", "1Gi", null).build(), 1))
                .hasMessage("pod ml/p: spec.containers[0].resources.requests[cpu] must not be negative, got -1");
        assertThatThrownBy(() -> translator.translate(pod("1", "1Gi", "1.5").build(), 1))
                .hasMessage("pod ml/p: spec.containers[0].resources.limits[nvidia.com/gpu] must be a whole number, got 1.5");
        assertThatThrownBy(() -> translator.translate(pod("1", "1Gi", null).editMetadata()
                .addToLabels("gantry.io/workload", "batch").endMetadata().build(), 1))
                .hasMessage("pod ml/p: metadata.labels[gantry.io/workload] must be training or inference, got \"batch\"");
        assertThatThrownBy(() -> translator.translate(pod("1", "1Gi", null).editMetadata()
                .addToAnnotations("gantry.io/gpu-models", "A100||H100").endMetadata().build(), 1))
                .hasMessage("pod ml/p: metadata.annotations[gantry.io/gpu-models] must list GPU models separated by |, with none empty, got \"A100||H100\"");
    }

    @Test
    void gpuModelsFromSelectorAffinityAndAnnotationIntersect() {
        Pod p = pod("1", "1Gi", "1").editMetadata().addToAnnotations("gantry.io/gpu-models", "A100|H100").endMetadata()
                .editSpec().withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().addToMatchExpressions(new NodeSelectorRequirementBuilder()
                        .withKey("nvidia.com/gpu.product").withOperator("In").withValues("H100", "B200").build())
                .addToMatchExpressions(new NodeSelectorRequirementBuilder().withKey("pool").withOperator("In").withValues("gpu").build())
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .endSpec().build();
        PodSpec spec = translator.translate(p, 1);
        assertThat(spec.gpuModels()).isEqualTo(Set.of("H100"));
        assertThat(spec.nodeSelector()).containsEntry("pool", "gpu");

        Pod disjoint = pod("1", "1Gi", "1").editMetadata().addToAnnotations("gantry.io/gpu-models", "V100").endMetadata()
                .editSpec().withNodeSelector(Map.of("nvidia.com/gpu.product", "A100")).endSpec().build();
        assertThatThrownBy(() -> translator.translate(disjoint, 1))
                .hasMessage("pod ml/p: metadata.annotations[gantry.io/gpu-models] names GPU models [V100] that share none with the "
                        + "models the pod's other constraints allow [A100]");
    }

    @Test
    void unsupportedConstraintsAreRefusedNotIgnored() {
        Pod notIn = pod("1", "1Gi", null).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .addToMatchExpressions(new NodeSelectorRequirementBuilder().withKey("pool").withOperator("NotIn").withValues("cpu").build())
                .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
        assertThatThrownBy(() -> translator.translate(notIn, 1)).hasMessageContaining(
                "matchExpressions[0] operator NotIn on pool is not supported by Gantry yet");
        Pod podAffinity = pod("1", "1Gi", null).editSpec().withNewAffinity().withNewPodAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity().endAffinity().endSpec().build();
        assertThatThrownBy(() -> translator.translate(podAffinity, 1)).hasMessage(
                "pod ml/p: spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution is not supported by Gantry yet");
    }

    @Test
    void queuePriorityWorkloadClassTolerationsAndGang() {
        Pod p = pod("1", "1Gi", "1").editMetadata()
                .addToLabels("kueue.x-k8s.io/queue-name", "research").addToLabels("scheduling.x-k8s.io/pod-group", "llama")
                .withOwnerReferences(new OwnerReferenceBuilder().withKind("ReplicaSet").withName("rs").withApiVersion("apps/v1").build())
                .endMetadata().editSpec().withPriority(1000)
                .addNewToleration().withKey("nvidia.com/gpu").withOperator("Exists").withEffect("NoSchedule").endToleration()
                .endSpec().build();
        PodSpec spec = translator.translate(p, 1);
        assertThat(spec.queue()).isEqualTo("research");
        assertThat(spec.priority()).isEqualTo(1000);
        assertThat(spec.workloadClass()).isEqualTo(WorkloadClass.INFERENCE);
        assertThat(spec.tolerations()).containsExactly(new Toleration("nvidia.com/gpu", true, "", TaintEffect.NO_SCHEDULE));
        assertThat(spec.gang()).isEqualTo("ml/llama");

        Pod labelled = pod("1", "1Gi", "1").editMetadata().addToLabels("gantry.io/queue", "prod")
                .addToLabels("kueue.x-k8s.io/queue-name", "research").addToLabels("gantry.io/workload", "training")
                .withOwnerReferences(new OwnerReferenceBuilder().withKind("StatefulSet").withName("s").withApiVersion("apps/v1").build())
                .endMetadata().build();
        PodSpec explicit = translator.translate(labelled, 2);
        assertThat(explicit.queue()).isEqualTo("prod");
        assertThat(explicit.workloadClass()).isEqualTo(WorkloadClass.TRAINING);
        assertThat(translator.translate(pod("1", "1Gi", null).build(), 3).workloadClass()).isEqualTo(WorkloadClass.TRAINING);
    }

    @Test
    void boundPodsOfOtherSchedulersCountTheirRequestsEvenWithConstraintsGantryDoesNotSupport() {
        Pod p = pod("2", "4Gi", "1").editSpec().withNodeName("n1").withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec().build();
        assertThat(translator.translateBound(p, 9).request()).isEqualTo(ResourceRequest.wholeGpus(2000, 4L << 30, 1));
        assertThat(List.of(translator.translateBound(p, 9).gpuModels())).containsExactly(Set.of());
    }
}
