package io.gantry.core.agent;

import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.WorkloadClass;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Pods bound by someone else, as the Kubernetes driver reports them: with or without their GPUs named. */
class ExternalBindTest {

    @Test
    void podBoundWithoutGpuMaskTakesTheLowestGpusWithRoom() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        h.step();
        PodSpec external = new PodSpec(100, "other/p", ResourceRequest.wholeGpus(1000, 1L << 30, 3), 0, "default",
                WorkloadClass.TRAINING, null, null, null, "");
        h.send(new SchedulerEvent.PodBound(external, "n1", 0));
        PodSpec two = h.pod("two", 2, 0);
        PodSpec one = h.pod("one", 1, 0);
        h.step();

        assertThat(h.agent.state().gpuMaskOf(100)).isEqualTo(0b0111);
        assertThat(h.isBound(two)).isFalse();
        assertThat(h.isBound(one)).isTrue();
        assertThat(h.agent.state().gpuMaskOf(one.id())).isEqualTo(0b1000);
    }

    @Test
    void podBoundElsewhereWhileOurBindIsInFlightMovesThereAndFreesOurNode() {
        AgentHarness h = new AgentHarness();
        h.autoBind = false;
        h.node("n1", 1, "A100");
        h.node("n2", 1, "A100");
        PodSpec pod = h.pod("p", 1, 0);
        h.step();
        String ours = h.outbox.binds.get(0).node();
        String theirs = ours.equals("n1") ? "n2" : "n1";

        h.send(new SchedulerEvent.PodBound(pod, theirs, 1));
        h.send(new SchedulerEvent.BindFailed(pod.id(), "409 Conflict: already bound"));
        PodSpec next = h.pod("next", 1, 0);
        h.step();

        assertThat(h.agent.state().nodeName(h.agent.nodeOf(pod.id()))).isEqualTo(theirs);
        assertThat(h.outbox.binds).hasSize(2);
        assertThat(h.outbox.binds.get(1).pod()).isEqualTo(next);
        assertThat(h.outbox.binds.get(1).node()).isEqualTo(ours);
        assertThat(h.agent.pendingPods()).isZero();
    }
}
