package io.gantry.manifests;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;
import io.gantry.core.model.WorkloadClass;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.translate.GangTranslator;
import io.gantry.plugin.translate.PodGroup;
import io.gantry.plugin.translate.PodTranslator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The examples are Gantry's: every pod they make names {@code schedulerName: gantry} and goes through the
 * scheduler's own translation (pods with {@link PodTranslator}, PodGroups with {@link GangTranslator},
 * configured as by the install's config.yaml) without an error, and says what its comments promise.
 */
class ExamplesTest {
    private final SchedulerSettings settings = Manifests.settings();
    private final PodTranslator pods = new PodTranslator(settings.topology().rackLabel());
    private final GangTranslator gangs = new GangTranslator(settings.gang().defaultScheduleTimeoutSeconds());

    @Test
    void everyExamplePodIsForGantryAndTranslatesInAConfiguredQueue() {
        Set<String> queues = settings.queues().stream().map(SchedulerSettings.Queue::name).collect(Collectors.toSet());
        List<String> translated = new ArrayList<>();
        long id = 1;
        for (ExamplePods.Example example : ExamplePods.all()) {
            assertThat(example.pods()).as(example.file().toString()).isNotEmpty();
            for (Pod pod : example.pods()) {
                String where = example.file().getFileName() + ": " + pod.getMetadata().getName();
                assertThat(pod.getSpec().getSchedulerName()).as(where).isEqualTo(settings.schedulerName());
                PodSpec spec = pods.translate(pod, id++);
                assertThat(spec.queue()).as(where + " queue").isIn(queues);
                translated.add(spec.name());
            }
            for (PodGroup group : example.podGroups()) {
                gangs.translate(group);
            }
        }
        assertThat(translated).hasSize(4 + 4 + 3 + 6 + 3);
    }

    @Test
    void theTrainingJobIsAGangOfFourEightGpuWorkersPreferringOneRack() {
        ExamplePods.Example training = ExamplePods.of(Manifests.EXAMPLES.resolve("training-gang.yaml"));
        assertThat(training.podGroups()).hasSize(1);
        GangSpec gang = gangs.translate(training.podGroups().get(0));
        assertThat(gang.minMember()).isEqualTo(4).isEqualTo(training.pods().size());
        assertThat(gang.topology()).isEqualTo(TopologyLevel.RACK);
        assertThat(gang.topologyRequired()).isFalse();
        long id = 1;
        for (Pod pod : training.pods()) {
            PodSpec spec = pods.translate(pod, id++);
            assertThat(spec.gang()).isEqualTo(gang.key());
            assertThat(spec.request().gpus()).isEqualTo(8);
            assertThat(spec.workloadClass()).isEqualTo(WorkloadClass.TRAINING);
            assertThat(spec.queue()).isEqualTo("research");
        }
    }

    @Test
    void theInferenceReplicasAreOneGpuEachAndSpreadOverNodes() {
        ExamplePods.Example inference = ExamplePods.of(Manifests.EXAMPLES.resolve("inference.yaml"));
        Set<String> services = new java.util.HashSet<>();
        long id = 1;
        for (Pod pod : inference.pods()) {
            PodSpec spec = pods.translate(pod, id++);
            assertThat(spec.workloadClass()).isEqualTo(WorkloadClass.INFERENCE);
            assertThat(spec.request().gpus()).isEqualTo(1);
            assertThat(spec.service().spread()).containsExactly(new SpreadConstraint(SpreadLevel.NODE, 1, true));
            services.add(spec.service().service());
        }
        assertThat(inference.pods()).hasSize(4);
        assertThat(services).as("all replicas count as one service").hasSize(1);
    }

    @Test
    void theNotebooksAskSharesOfOneGpu() {
        Map<String, Integer> shares = new HashMap<>();
        long id = 1;
        for (Pod pod : ExamplePods.of(Manifests.EXAMPLES.resolve("notebooks.yaml")).pods()) {
            PodSpec spec = pods.translate(pod, id++);
            assertThat(spec.request().gpus()).isZero();
            assertThat(spec.gpuModels()).contains("NVIDIA-L4");
            shares.put(pod.getMetadata().getName(), spec.request().gpuMilli());
        }
        assertThat(shares).containsExactlyInAnyOrderEntriesOf(Map.of("notebook-alice", 250, "notebook-bob", 500, "notebook-carol", 250));
    }

    @Test
    void theQueueAndKueueExamplesUseBothConfiguredQueues() {
        Map<String, String> queueOf = new HashMap<>();
        long id = 1;
        for (String file : List.of("queues.yaml", "kueue-job.yaml")) {
            for (Pod pod : ExamplePods.of(Manifests.EXAMPLES.resolve(file)).pods()) {
                queueOf.put(pod.getMetadata().getName(), pods.translate(pod, id++).queue());
            }
        }
        assertThat(queueOf.values()).containsOnly("research", "production").contains("research", "production");
        // the Kueue pods take their queue from Kueue's label alone
        Pod probe = ExamplePods.podsByName().get("kueue-probe");
        assertThat(probe.getMetadata().getLabels()).containsOnlyKeys("kueue.x-k8s.io/queue-name");
        assertThat(queueOf).containsEntry("kueue-probe", "production");
        assertThat(probe.getSpec().getSchedulingGates()).extracting(g -> g.getName()).containsExactly("kueue.x-k8s.io/admission");
    }
}
