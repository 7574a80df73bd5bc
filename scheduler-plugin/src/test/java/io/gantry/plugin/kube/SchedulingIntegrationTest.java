package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.gantry.plugin.translate.KubeNames;
import io.gantry.plugin.translate.PodGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.gantry.plugin.kube.TestCluster.NS;
import static io.gantry.plugin.kube.TestCluster.eventually;
import static io.gantry.plugin.kube.TestCluster.stays;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scenarios of the scheduler process against a Kubernetes API over HTTP, with real watches: the API that
 * {@link TestCluster} chooses (fabric8's mock unless told otherwise), and in {@link SchedulingOnInMemoryApiTest}
 * the same scenarios against {@link InMemoryApiServer}.
 */
class SchedulingIntegrationTest {
    private static final Duration QUIET = Duration.ofMillis(700);
    private final TestCluster cluster = newCluster();

    TestCluster newCluster() {
        return new TestCluster();
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void plainPodIsBoundWithItsGpuIndexesAndAScheduledEvent() {
        cluster.node("gpu-1", 8, "A100-SXM4-80GB");
        cluster.scheduler();
        cluster.create(cluster.gpuPod("train-0", 2));

        assertThat(eventually(() -> cluster.nodeOf("train-0") != null)).isTrue();
        Pod pod = cluster.pod("train-0");
        assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-1");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(KubeNames.GPU_INDEXES_ANNOTATION, "0,1");
        assertThat(eventually(() -> cluster.eventsFor("train-0").stream()
                .anyMatch(e -> e.startsWith("Scheduled: Successfully assigned team-a/train-0 to gpu-1")))).isTrue();
        assertThat(cluster.api.bindingsByPod()).containsEntry("team-a/train-0", 1);
    }

    @Test
    void podsOfOtherSchedulersAreNotBoundButTheirCapacityCounts() {
        cluster.node("gpu-1", 2, "A100");
        cluster.create(cluster.gpuPod("theirs-running", 1).editSpec().withSchedulerName("default-scheduler")
                .withNodeName("gpu-1").endSpec());
        cluster.create(cluster.gpuPod("theirs-pending", 1).editSpec().withSchedulerName("default-scheduler").endSpec());
        cluster.scheduler();
        cluster.create(cluster.gpuPod("ours-1", 1));
        cluster.create(cluster.gpuPod("ours-2", 1));

        assertThat(eventually(() -> cluster.nodeOf("ours-1") != null || cluster.nodeOf("ours-2") != null)).isTrue();
        assertThat(stays(QUIET, () -> cluster.nodeOf("ours-1") == null || cluster.nodeOf("ours-2") == null)).isTrue();
        assertThat(cluster.nodeOf("theirs-pending")).isNull();
        String bound = cluster.nodeOf("ours-1") != null ? "ours-1" : "ours-2";
        assertThat(cluster.pod(bound).getMetadata().getAnnotations()).containsEntry(KubeNames.GPU_INDEXES_ANNOTATION, "1");
    }

    @Test
    void gpuModelConstraintsPickTheNodeAndAnImpossibleModelIsReportedUnschedulable() {
        cluster.node("a100", 8, "A100-SXM4-80GB");
        cluster.node("h100", 8, "H100-SXM5-80GB");
        cluster.scheduler();
        cluster.create(cluster.gpuPod("by-selector", 1).editSpec()
                .withNodeSelector(Map.of(KubeNames.GPU_PRODUCT_LABEL, "H100-SXM5-80GB")).endSpec());
        cluster.create(cluster.gpuPod("by-annotation", 1).editMetadata()
                .withAnnotations(Map.of(KubeNames.GPU_MODELS_ANNOTATION, "V100|A100-SXM4-80GB")).endMetadata());
        cluster.create(cluster.gpuPod("impossible", 1).editMetadata()
                .withAnnotations(Map.of(KubeNames.GPU_MODELS_ANNOTATION, "B200")).endMetadata());

        assertThat(eventually(() -> "h100".equals(cluster.nodeOf("by-selector")))).isTrue();
        assertThat(eventually(() -> "a100".equals(cluster.nodeOf("by-annotation")))).isTrue();
        assertThat(eventually(() -> condition(cluster.pod("impossible"), "PodScheduled") != null)).isTrue();
        PodCondition scheduled = condition(cluster.pod("impossible"), "PodScheduled");
        assertThat(scheduled.getStatus()).isEqualTo("False");
        assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
        assertThat(scheduled.getMessage()).isNotBlank();
        assertThat(eventually(() -> cluster.eventsFor("impossible").stream().anyMatch(e -> e.startsWith("FailedScheduling: ")))).isTrue();
        assertThat(cluster.nodeOf("impossible")).isNull();
    }

    @Test
    void fractionalPodsShareOneGpu() {
        cluster.node("gpu-1", 1, "A100");
        cluster.scheduler();
        for (String name : List.of("notebook-1", "notebook-2", "notebook-3")) {
            cluster.create(cluster.gpuPod(name, 0).editMetadata()
                    .withAnnotations(Map.of(KubeNames.GPU_MILLI_ANNOTATION, "400")).endMetadata());
        }
        List<String> names = List.of("notebook-1", "notebook-2", "notebook-3");
        assertThat(eventually(() -> names.stream().filter(n -> cluster.nodeOf(n) != null).count() == 2)).isTrue();
        // 400 + 400 + 400 > 1000: the third waits, and the two bound share GPU 0
        assertThat(stays(QUIET, () -> names.stream().filter(n -> cluster.nodeOf(n) != null).count() == 2)).isTrue();
        for (String name : names) {
            if (cluster.nodeOf(name) != null) {
                assertThat(cluster.pod(name).getMetadata().getAnnotations()).containsEntry(KubeNames.GPU_INDEXES_ANNOTATION, "0");
            }
        }
    }

    @Test
    void gangIsBoundAllOrNothing() {
        cluster.node("gpu-1", 8, "A100");
        cluster.node("gpu-2", 8, "A100");
        cluster.scheduler();
        cluster.podGroup("llama", 3);
        for (int i = 0; i < 2; i++) {
            cluster.create(cluster.gpuPod("llama-" + i, 8).editMetadata()
                    .withLabels(Map.of(KubeNames.POD_GROUP_LABEL, "llama")).endMetadata());
        }
        // two of minMember 3, and room for only two 8-GPU members anyway: nothing binds
        assertThat(stays(QUIET, () -> cluster.nodeOf("llama-0") == null && cluster.nodeOf("llama-1") == null)).isTrue();
        assertThat(eventually(() -> {
            PodGroup g = cluster.client.resources(PodGroup.class).inNamespace(NS).withName("llama").get();
            return g.getStatus() != null && "Pending".equals(g.getStatus().getPhase());
        })).isTrue();

        cluster.podGroup("small", 2);
        for (int i = 0; i < 2; i++) {
            cluster.create(cluster.gpuPod("small-" + i, 4).editMetadata()
                    .withLabels(Map.of(KubeNames.POD_GROUP_LABEL, "small")).endMetadata());
        }
        assertThat(eventually(() -> cluster.nodeOf("small-0") != null && cluster.nodeOf("small-1") != null)).isTrue();
        assertThat(eventually(() -> {
            PodGroup g = cluster.client.resources(PodGroup.class).inNamespace(NS).withName("small").get();
            return g.getStatus() != null && "Scheduled".equals(g.getStatus().getPhase()) && g.getStatus().getScheduled() == 2;
        })).isTrue();
        assertThat(cluster.nodeOf("llama-0")).isNull();
        assertThat(cluster.nodeOf("llama-1")).isNull();

        // the kubelet starts both members (retrying on 409, as it does: the scheduler writes conditions meanwhile)
        for (int i = 0; i < 2; i++) {
            String name = "small-" + i;
            assertThat(eventually(() -> {
                try {
                    cluster.client.pods().inNamespace(NS).withName(name).editStatus(p -> {
                        p.getStatus().setPhase("Running");
                        return p;
                    });
                    return true;
                } catch (KubernetesClientException e) {
                    return false;
                }
            })).isTrue();
        }
        assertThat(eventually(() -> {
            PodGroup g = cluster.client.resources(PodGroup.class).inNamespace(NS).withName("small").get();
            return g.getStatus() != null && "Running".equals(g.getStatus().getPhase()) && g.getStatus().getRunning() == 2;
        })).isTrue();
    }

    @Test
    void schedulingGatesAreRespectedUntilRemoved() {
        cluster.node("gpu-1", 8, "A100");
        cluster.scheduler();
        cluster.create(cluster.gpuPod("gated", 1).editSpec().addNewSchedulingGate().withName("kueue.x-k8s.io/admission")
                .endSchedulingGate().endSpec());
        cluster.create(cluster.gpuPod("free", 1));
        assertThat(eventually(() -> cluster.nodeOf("free") != null)).isTrue();
        assertThat(stays(QUIET, () -> cluster.nodeOf("gated") == null)).isTrue();

        cluster.client.pods().inNamespace(NS).withName("gated").edit(p -> {
            p.getSpec().setSchedulingGates(List.of());
            return p;
        });
        assertThat(eventually(() -> cluster.nodeOf("gated") != null)).isTrue();
    }

    @Test
    void badInputIsReportedOnThePodWhileOtherPodsKeepFlowing() {
        cluster.node("gpu-1", 8, "A100");
        cluster.scheduler();
        cluster.create(cluster.gpuPod("bad-share", 0).editMetadata()
                .withAnnotations(Map.of(KubeNames.GPU_MILLI_ANNOTATION, "half")).endMetadata());
        cluster.podGroup("broken", 0);
        cluster.create(cluster.gpuPod("broken-0", 1).editMetadata()
                .withLabels(Map.of(KubeNames.POD_GROUP_LABEL, "broken")).endMetadata());
        cluster.create(cluster.gpuPod("good", 1));

        assertThat(eventually(() -> cluster.nodeOf("good") != null)).isTrue();
        assertThat(eventually(() -> cluster.eventsFor("bad-share").stream().anyMatch(e -> e.equals(
                "FailedScheduling: pod team-a/bad-share: metadata.annotations[gantry.io/gpu-milli] must be a whole number 1..999, got \"half\"")))).isTrue();
        assertThat(eventually(() -> condition(cluster.pod("bad-share"), "PodScheduled") != null)).isTrue();
        assertThat(condition(cluster.pod("bad-share"), "PodScheduled").getReason()).isEqualTo("SchedulerError");
        assertThat(eventually(() -> cluster.eventsFor("broken-0").stream().anyMatch(e ->
                e.contains("PodGroup team-a/broken: spec.minMember must be at least 1, got 0")))).isTrue();
        assertThat(cluster.nodeOf("bad-share")).isNull();
        assertThat(cluster.nodeOf("broken-0")).isNull();

        // fixing the annotation lets it through
        cluster.client.pods().inNamespace(NS).withName("bad-share").edit(p -> {
            p.getMetadata().getAnnotations().put(KubeNames.GPU_MILLI_ANNOTATION, "500");
            return p;
        });
        assertThat(eventually(() -> cluster.nodeOf("bad-share") != null)).isTrue();
    }

    @Test
    void bindServerErrorsAreRetriedAndBindOnce() {
        cluster.node("gpu-1", 8, "A100");
        cluster.api.failNext("POST", "/pods/retry-me/binding", 500, 2);
        cluster.scheduler();
        cluster.create(cluster.gpuPod("retry-me", 1));
        assertThat(eventually(() -> cluster.nodeOf("retry-me") != null)).isTrue();
        assertThat(cluster.api.bindingsByPod()).containsEntry("team-a/retry-me", 1);
        assertThat(cluster.api.calls().stream().filter(c -> c.path().endsWith("/pods/retry-me/binding")).count()).isEqualTo(3);
    }

    @Test
    void bindConflictFromARacingSchedulerIsReconciledNotRetried() {
        cluster.node("gpu-1", 1, "A100");
        cluster.node("gpu-2", 1, "A100");
        cluster.api.bindElsewhereFirst("team-a/raced", "gpu-1");
        cluster.api.bindElsewhereFirst("team-a/raced", "gpu-2");
        cluster.scheduler();
        cluster.create(cluster.gpuPod("raced", 1));
        assertThat(eventually(() -> cluster.nodeOf("raced") != null)).isTrue();
        // the racer's bind went through; ours got a 409 and was not sent again
        assertThat(stays(QUIET, () -> cluster.api.calls().stream().filter(c -> c.path().endsWith("/pods/raced/binding")).count() == 1)).isTrue();
        assertThat(cluster.api.bindingsByPod()).containsEntry("team-a/raced", 1);
        // its capacity is counted where it really is: the next pod takes the other node
        String taken = cluster.nodeOf("raced");
        cluster.create(cluster.gpuPod("next", 1));
        assertThat(eventually(() -> cluster.nodeOf("next") != null)).isTrue();
        assertThat(cluster.nodeOf("next")).isNotEqualTo(taken);
    }

    @Test
    void aRestartRebuildsFromBoundPodsAndNeverBindsTwice() {
        cluster.node("gpu-1", 2, "A100");
        var first = cluster.scheduler();
        cluster.create(cluster.gpuPod("before-1", 1));
        assertThat(eventually(() -> cluster.nodeOf("before-1") != null)).isTrue();
        first.close();

        cluster.create(cluster.gpuPod("after-1", 1));
        cluster.create(cluster.gpuPod("after-2", 1));
        cluster.scheduler("gantry-1", "leaderElection: {enabled: false}\n");
        assertThat(eventually(() -> cluster.nodeOf("after-1") != null || cluster.nodeOf("after-2") != null)).isTrue();
        assertThat(stays(QUIET, () -> cluster.nodeOf("after-1") == null || cluster.nodeOf("after-2") == null)).isTrue();
        String bound = cluster.nodeOf("after-1") != null ? "after-1" : "after-2";
        assertThat(cluster.pod(bound).getMetadata().getAnnotations()).containsEntry(KubeNames.GPU_INDEXES_ANNOTATION, "1");
        assertThat(cluster.api.bindingsByPod().values()).allMatch(n -> n == 1);
        assertThat(cluster.api.bindingsByPod()).containsEntry("team-a/before-1", 1);
    }

    @Test
    void preemptionEvictsThroughTheEvictionApiAndRespectsDisruptionBudgets() {
        cluster.node("gpu-1", 4, "A100");
        cluster.node("gpu-2", 4, "A100");
        cluster.scheduler();
        cluster.create(cluster.gpuPod("guarded", 4).editSpec().withPriority(1).endSpec());
        cluster.create(cluster.gpuPod("victim", 4).editSpec().withPriority(2).endSpec());
        assertThat(eventually(() -> cluster.nodeOf("guarded") != null && cluster.nodeOf("victim") != null)).isTrue();
        cluster.api.protectByBudget("team-a/guarded");

        cluster.create(cluster.gpuPod("urgent", 4).editSpec().withPriority(100).endSpec());
        // the lowest priority is guarded by its budget (429): the agent picks the other victim
        assertThat(eventually(() -> cluster.pod("victim") == null)).isTrue();
        assertThat(eventually(() -> cluster.nodeOf("urgent") != null)).isTrue();
        assertThat(cluster.pod("guarded")).isNotNull();
        assertThat(cluster.api.calls().stream().filter(c -> c.path().endsWith("/pods/guarded/eviction")).count()).isEqualTo(1);
        Set<String> preempted = Set.copyOf(cluster.eventsFor("victim"));
        assertThat(preempted).anyMatch(e -> e.startsWith("Preempted: Preempted by team-a/urgent"));
    }

    private static PodCondition condition(Pod pod, String type) {
        if (pod == null || pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        return pod.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }
}
