package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How the room a node gains is offered to the parked pods and gangs: in queue order, one at a time. */
class RoomOfferScenarioTest {
    @Test
    void aPodWokenButBeatenToTheRoomKeepsItsPlaceAheadOfYoungerPods() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 2, "A100");
        PodSpec x1 = h.pod("x1", 1, 0);
        PodSpec x2 = h.pod("x2", 1, 0);
        h.step();
        PodSpec a1 = h.pod("a1", 1, 0);
        h.step();
        PodSpec a2 = h.pod("a2", 1, 0);
        PodSpec a3 = h.pod("a3", 1, 0);
        h.step();
        assertThat(h.isBound(a1) || h.isBound(a2) || h.isBound(a3)).isFalse();

        // x1 leaves and a pod of higher priority arrives at once: a1 is offered the GPU, "urgent" takes it
        h.remove(x1);
        PodSpec urgent = h.pod("urgent", 1, 5);
        h.step();
        assertThat(h.isBound(urgent)).isTrue();
        assertThat(h.isBound(a1)).isFalse();

        // a1 failed, but it has still waited longest: the next GPU is offered to it, not to a2
        h.remove(x2);
        h.step();
        assertThat(h.isBound(a1)).as("a1, waiting longest; reason: %s", h.reason(a1)).isTrue();
        assertThat(h.isBound(a2) || h.isBound(a3)).isFalse();
    }

    @Test
    void roomGoesToTheOldestUnitPodOrGangAndAYoungerGangWaitsForEnough() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        PodSpec full = h.pod("full", 4, 0);
        h.step();
        PodSpec three = h.pod("three", 3, 0);
        h.step();
        h.gang("g", 2, 0);
        PodSpec m0 = h.pod("g-0", 1, 0, "default", "g");
        PodSpec m1 = h.pod("g-1", 1, 0, "default", "g");
        h.step();
        PodSpec one = h.pod("one", 1, 0);
        h.step();

        // four GPUs free: "three" waited longest and takes three; one GPU is too little for the gang,
        // so the single "one", younger than the gang, gets it
        h.remove(full);
        h.step();
        assertThat(h.isBound(three)).isTrue();
        assertThat(h.isBound(m0) || h.isBound(m1)).as("the gang needs two GPUs at once").isFalse();
        assertThat(h.isBound(one)).isTrue();

        // "three" leaves: the gang, older than anything still waiting, is placed whole
        h.remove(three);
        h.step();
        assertThat(h.isBound(m0) && h.isBound(m1)).as("gang placed; reason: %s", h.reason(m0)).isTrue();
    }
}
