package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TaskShapeLearnerTest {
    private static final ResourceRequest ONE_GPU = ResourceRequest.wholeGpus(4000, 16L << 30, 1);
    private static final ResourceRequest TWO_GPUS = ResourceRequest.wholeGpus(8000, 32L << 30, 2);
    private static final ResourceRequest HALF_GPU = ResourceRequest.gpuShare(2000, 8L << 30, 500);
    private static final TaskShape A = TaskShape.of(ONE_GPU, Set.of());
    private static final TaskShape B = TaskShape.of(TWO_GPUS, Set.of());
    private static final TaskShape C = TaskShape.of(HALF_GPU, Set.of());

    private final AgentHarness h = new AgentHarness(SchedulerConfig.defaults().withPolicies("fgd", "fgd"));

    private List<PodSpec> arrive(int count, ResourceRequest request, WorkloadClass workloadClass) {
        List<PodSpec> pods = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pods.add(h.pod("p", request, 0, PodSpec.DEFAULT_QUEUE, "", workloadClass));
        }
        h.step();
        return pods;
    }

    private static Map<TaskShape, Double> weights(TaskShapeDistribution d) {
        Map<TaskShape, Double> out = new HashMap<>();
        for (int i = 0; i < d.size(); i++) {
            out.put(d.shapes().get(i), d.weight(i));
        }
        return out;
    }

    @Test
    void trainingCountsByDecayedArrivalsInferenceByLiveReplicasAndSmallMovesAreNotAdopted() {
        assertThat(h.agent.taskShapes().isEmpty()).isTrue();
        arrive(999, ONE_GPU, WorkloadClass.TRAINING);
        assertThat(h.agent.taskShapes().isEmpty()).as("not before a full window").isTrue();
        arrive(1, ONE_GPU, WorkloadClass.TRAINING);
        assertThat(weights(h.agent.taskShapes())).containsExactlyEntriesOf(Map.of(A, 1.0));

        // window 2: A's 1000 arrivals are halved to 500; B 800 arrivals; C 200 live replicas
        arrive(800, TWO_GPUS, WorkloadClass.TRAINING);
        List<PodSpec> replicas = arrive(200, HALF_GPU, WorkloadClass.INFERENCE);
        assertThat(weights(h.agent.taskShapes())).as("not within a minute of the last adoption").containsOnlyKeys(A);
        h.advance(60 * AgentHarness.SECOND);
        h.step();
        Map<TaskShape, Double> second = weights(h.agent.taskShapes());
        assertThat(second).containsOnlyKeys(A, B, C);
        assertThat(second.get(B)).isCloseTo(800.0 / 1500, within(1e-9));
        assertThat(second.get(A)).isCloseTo(500.0 / 1500, within(1e-9));
        assertThat(second.get(C)).isCloseTo(200.0 / 1500, within(1e-9));

        // window 3: A 250 + 333, B 400 + 533, C 200 + 134 live: total variation 0.047 < 0.1, kept as is
        arrive(333, ONE_GPU, WorkloadClass.TRAINING);
        arrive(533, TWO_GPUS, WorkloadClass.TRAINING);
        List<PodSpec> more = arrive(134, HALF_GPU, WorkloadClass.INFERENCE);
        h.advance(60 * AgentHarness.SECOND);
        h.step();
        assertThat(weights(h.agent.taskShapes())).isEqualTo(second);

        // window 4: every replica gone, 1000 arrivals of A: A 291.5 + 1000, B 466.5 (halved 933), C 0
        for (PodSpec r : replicas) {
            h.remove(r);
        }
        for (PodSpec r : more) {
            h.remove(r);
        }
        arrive(1000, ONE_GPU, WorkloadClass.TRAINING);
        h.advance(60 * AgentHarness.SECOND);
        h.step();
        Map<TaskShape, Double> fourth = weights(h.agent.taskShapes());
        assertThat(fourth).containsOnlyKeys(A, B);
        assertThat(fourth.get(A)).isCloseTo(1291.5 / 1758, within(1e-9));
    }

    @Test
    void aConfiguredDistributionIsNeverReplaced() {
        TaskShapeDistribution given = TaskShapeDistribution.of(Map.of(B, 1.0));
        AgentHarness configured = new AgentHarness(SchedulerConfig.defaults().withPolicies("fgd", "fgd").withTaskShapes(given));
        for (int i = 0; i < 1500; i++) {
            configured.pod("p", ONE_GPU, 0, PodSpec.DEFAULT_QUEUE, "", WorkloadClass.TRAINING);
        }
        configured.advance(120 * AgentHarness.SECOND);
        configured.step();
        assertThat(configured.agent.taskShapes()).isSameAs(given);
    }

    @Test
    void totalVariationDistanceIsHalfTheSummedDifferences() {
        TaskShapeDistribution first = TaskShapeDistribution.of(Map.of(A, 0.5, B, 0.5));
        TaskShapeDistribution second = TaskShapeDistribution.of(Map.of(A, 0.25, C, 0.75));
        assertThat(TaskShapeLearner.distance(first, second)).isCloseTo((0.25 + 0.5 + 0.75) / 2, within(1e-12));
        assertThat(TaskShapeLearner.distance(first, first)).isZero();
    }
}
