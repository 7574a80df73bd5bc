package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.gantry.plugin.kube.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** Scenarios of the scheduler process against a Kubernetes API over HTTP, with real watches. */
class SchedulingIntegrationTest {
    private final TestCluster cluster = new TestCluster();

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
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-indexes", "0,1");
        assertThat(eventually(() -> cluster.eventsFor("train-0").stream().anyMatch(e -> e.startsWith("Scheduled: Successfully assigned team-a/train-0 to gpu-1")))).isTrue();
        assertThat(cluster.api.bindingsByPod()).containsEntry("team-a/train-0", 1);
    }
}
