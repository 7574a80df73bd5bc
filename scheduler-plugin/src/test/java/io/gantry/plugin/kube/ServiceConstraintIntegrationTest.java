package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.gantry.plugin.kube.TestCluster.eventually;
import static io.gantry.plugin.kube.TestCluster.stays;
import static org.assertj.core.api.Assertions.assertThat;

/** Inference replicas with anti-affinity and topology spread, through the scheduler process. */
class ServiceConstraintIntegrationTest {
    private static final Duration QUIET = Duration.ofMillis(700);
    private final TestCluster cluster = new TestCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    private PodBuilder replica(String name) {
        return cluster.gpuPod(name, 1).editMetadata().addToLabels("app", "llm").endMetadata();
    }

    @Test
    void requiredAntiAffinityPutsOneReplicaPerNodeAndTheOneTooManyIsReportedUnschedulable() {
        cluster.node("gpu-1", 8, "H100");
        cluster.node("gpu-2", 8, "H100");
        cluster.scheduler();
        List<String> names = List.of("llm-0", "llm-1", "llm-2");
        for (String name : names) {
            cluster.create(replica(name).editSpec().withNewAffinity().withNewPodAntiAffinity()
                    .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                    .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "llm").build())
                    .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec());
        }
        assertThat(eventually(() -> names.stream().filter(n -> cluster.nodeOf(n) != null).count() == 2)).isTrue();
        assertThat(stays(QUIET, () -> names.stream().filter(n -> cluster.nodeOf(n) != null).count() == 2)).isTrue();
        Set<String> nodes = new HashSet<>();
        String pending = null;
        for (String name : names) {
            if (cluster.nodeOf(name) == null) {
                pending = name;
            } else {
                nodes.add(cluster.nodeOf(name));
            }
        }
        assertThat(nodes).containsExactlyInAnyOrder("gpu-1", "gpu-2");
        String waiting = pending;
        assertThat(eventually(() -> scheduledCondition(waiting) != null)).isTrue();
        assertThat(scheduledCondition(waiting).getReason()).isEqualTo("Unschedulable");
        assertThat(scheduledCondition(waiting).getMessage()).contains("replica");
    }

    @Test
    void unsupportedAffinityIsAFailedSchedulingEventNamingTheField() {
        cluster.node("gpu-1", 8, "H100");
        cluster.scheduler();
        cluster.create(replica("near-db").editSpec().withNewAffinity().withNewPodAntiAffinity()
                .addNewRequiredDuringSchedulingIgnoredDuringExecution().withTopologyKey("kubernetes.io/hostname")
                .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "db").build())
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAntiAffinity().endAffinity().endSpec());
        cluster.create(replica("plain"));
        assertThat(eventually(() -> cluster.nodeOf("plain") != null)).isTrue();
        assertThat(eventually(() -> cluster.eventsFor("near-db").stream().anyMatch(e -> e.startsWith("FailedScheduling: ")
                && e.contains("podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels[app]")))).isTrue();
        assertThat(cluster.nodeOf("near-db")).isNull();
    }

    @Test
    void hardZoneSpreadKeepsReplicasEvenAcrossZones() {
        for (int i = 0; i < 4; i++) {
            cluster.node("gpu-" + i, 8, "H100", Map.of("topology.kubernetes.io/zone", "zone-" + (i % 2)));
        }
        cluster.scheduler();
        List<String> names = List.of("llm-0", "llm-1", "llm-2", "llm-3");
        for (String name : names) {
            cluster.create(replica(name).editSpec().addNewTopologySpreadConstraint().withTopologyKey("topology.kubernetes.io/zone")
                    .withMaxSkew(1).withWhenUnsatisfiable("DoNotSchedule")
                    .withLabelSelector(new LabelSelectorBuilder().addToMatchLabels("app", "llm").build()).endTopologySpreadConstraint().endSpec());
        }
        assertThat(eventually(() -> names.stream().allMatch(n -> cluster.nodeOf(n) != null))).isTrue();
        long inZone0 = names.stream().filter(n -> Set.of("gpu-0", "gpu-2").contains(cluster.nodeOf(n))).count();
        assertThat(inZone0).isEqualTo(2);
    }

    @Test
    void poolsFromTheConfigSteerInferenceAndTrainingToTheirNodes() {
        cluster.node("train-node", 8, "H100", Map.of("gantry.io/pool", "training"));
        cluster.node("serve-node", 8, "H100", Map.of("gantry.io/pool", "inference"));
        cluster.scheduler("gantry-0", """
                leaderElection: {enabled: false}
                metrics: {port: 0}
                pools: {label: gantry.io/pool, training: training, inference: inference}
                """);
        // without pools, spread would put the second inference replica beside a training pod
        List<String> serving = List.of("serve-0", "serve-1");
        List<String> training = List.of("train-0", "train-1");
        for (int i = 0; i < 2; i++) {
            cluster.create(cluster.gpuPod(serving.get(i), 1).editMetadata().addToLabels("gantry.io/workload", "inference").endMetadata());
            cluster.create(cluster.gpuPod(training.get(i), 1).editMetadata().addToLabels("gantry.io/workload", "training").endMetadata());
        }
        assertThat(eventually(() -> serving.stream().allMatch(n -> cluster.nodeOf(n) != null)
                && training.stream().allMatch(n -> cluster.nodeOf(n) != null))).isTrue();
        assertThat(serving).allMatch(n -> "serve-node".equals(cluster.nodeOf(n)));
        assertThat(training).allMatch(n -> "train-node".equals(cluster.nodeOf(n)));
    }

    private PodCondition scheduledCondition(String pod) {
        List<PodCondition> conditions = cluster.pod(pod).getStatus() == null ? List.of() : cluster.pod(pod).getStatus().getConditions();
        return conditions.stream().filter(c -> "PodScheduled".equals(c.getType())).findFirst().orElse(null);
    }
}
