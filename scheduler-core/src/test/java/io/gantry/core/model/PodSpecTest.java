package io.gantry.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PodSpecTest {

    @Test
    void invalidRequestIsReportedUnderThePodName() {
        assertThatThrownBy(() -> PodSpec.of(7, "team-a/train-0", ResourceRequest.gpuShare(0, 0, 1500), Set.of()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("pod team-a/train-0: gpuMilli must be 1..999 for a fractional share (or 0), got 1500");
    }

    @Test
    void emptyNameIsRejected() {
        assertThatThrownBy(() -> PodSpec.of(7, "", ResourceRequest.NONE, Set.of()))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("pod <unnamed>: name must not be empty")
                .satisfies(e -> assertThat(((InvalidSpecException) e).field()).isEqualTo("name"));
    }

    @Test
    void blankGpuModelIsRejected() {
        assertThatThrownBy(() -> PodSpec.of(7, "p", ResourceRequest.wholeGpus(0, 0, 1), Set.of("A100", " ")))
                .isInstanceOf(InvalidSpecException.class)
                .hasMessage("pod p: gpuModels must not contain an empty model name");
    }

    @Test
    void nullsBecomeDefaults() {
        PodSpec pod = new PodSpec(1, "p", ResourceRequest.NONE, 0, null, null, null, null, null, null);

        assertThat(pod.queue()).isEqualTo(PodSpec.DEFAULT_QUEUE);
        assertThat(pod.workloadClass()).isEqualTo(WorkloadClass.TRAINING);
        assertThat(pod.gpuModels()).isEmpty();
        assertThat(pod.nodeSelector()).isEmpty();
        assertThat(pod.tolerations()).isEmpty();
        assertThat(pod.gang()).isEmpty();
    }

    @Test
    void collectionsAreCopied() {
        Set<String> models = new HashSet<>(Set.of("A100"));
        PodSpec pod = PodSpec.of(1, "p", ResourceRequest.wholeGpus(0, 0, 1), models);
        models.add("T4");

        assertThat(pod.gpuModels()).containsExactly("A100");
        assertThatThrownBy(() -> pod.gpuModels().add("V100")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void withersChangeOnlyTheirField() {
        PodSpec pod = PodSpec.of(1, "p", ResourceRequest.cpuOnly(1, 1), Set.of());
        PodSpec changed = pod.withPriority(5)
                .withWorkloadClass(WorkloadClass.INFERENCE)
                .withNodeSelector(Map.of("pool", "a"))
                .withTolerations(List.of(Toleration.exists("k")))
                .withGang("g1");

        assertThat(changed).isEqualTo(new PodSpec(1, "p", ResourceRequest.cpuOnly(1, 1), 5, "default",
                WorkloadClass.INFERENCE, Set.of(), Map.of("pool", "a"), List.of(Toleration.exists("k")), "g1"));
        assertThat(pod.priority()).isZero();
    }
}
