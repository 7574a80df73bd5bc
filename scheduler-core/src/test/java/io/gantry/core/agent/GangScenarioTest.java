package io.gantry.core.agent;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.Topology;
import io.gantry.core.outbox.Outbox;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.gantry.core.agent.AgentHarness.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

/** Gang scenarios of the issue, driven through the agent with a virtual clock. */
class GangScenarioTest {

    @Test
    void gangMissingAMemberBindsNothingWhileOthersFlowThenAllBindWhenItArrives() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 8, "A100");
        h.gang("train", 3, 0);
        PodSpec w0 = h.pod("train-0", 1, 0, "default", "train");
        PodSpec w1 = h.pod("train-1", 1, 0, "default", "train");
        PodSpec other = h.pod("notebook", 1, 0);
        h.step();
        assertThat(h.isBound(other)).isTrue();
        assertThat(h.isBound(w0)).isFalse();
        assertThat(h.isBound(w1)).isFalse();
        assertThat(h.reason(w0)).contains("waiting for members, 2 of minMember 3");

        PodSpec w2 = h.pod("train-2", 1, 0, "default", "train");
        h.step();
        assertThat(List.of(w0, w1, w2)).allMatch(h::isBound);
        assertThat(h.outbox.gangStatuses).last().extracting(RecordingOutbox.GangStatus::phase).isEqualTo(Outbox.GangPhase.SCHEDULED);
    }

    @Test
    void gangOfNWithRoomForNMinusOneBindsNothingAndHoldsNoReservationAfterItsTimeout() {
        AgentHarness h = new AgentHarness(SchedulerConfig.defaults().withReservationDelayNanos(5 * SECOND));
        h.node("n1", 2, "A100");
        h.node("n2", 2, "A100");
        PodSpec running = h.pod("running", 1, 0);
        h.step();
        assertThat(h.isBound(running)).isTrue();
        h.outbox.newBinds();
        h.outbox.binds.clear();
        h.outbox.bindsTaken = 0;
        h.gang("big", 4, 30 * SECOND);
        List<PodSpec> members = List.of(
                h.pod("big-0", 1, 0, "default", "big"), h.pod("big-1", 1, 0, "default", "big"),
                h.pod("big-2", 1, 0, "default", "big"), h.pod("big-3", 1, 0, "default", "big"));
        h.step();
        assertThat(h.outbox.binds).isEmpty();
        assertThat(h.reason(members.get(0))).contains("3 of 4 members placeable");

        h.advance(6 * SECOND);
        h.step();
        assertThat(h.agent.reservedNodes()).as("reserved after the delay").isEqualTo(2);
        assertThat(h.outbox.binds).isEmpty();

        h.advance(30 * SECOND);
        h.step();
        assertThat(h.agent.reservedNodes()).as("released at the timeout").isZero();
        assertThat(h.outbox.binds).isEmpty();
        assertThat(h.outbox.gangStatuses).anyMatch(s -> s.phase() == Outbox.GangPhase.TIMED_OUT);
        // a later pod may use the capacity the gang no longer reserves
        PodSpec after = h.pod("after", 1, 0);
        h.step();
        assertThat(h.isBound(after)).isTrue();
    }

    @Test
    void twoGangsThatEachFitOnlyAloneNeverSplitInEitherOrder() {
        for (boolean aFirst : new boolean[] {true, false}) {
            AgentHarness h = new AgentHarness();
            h.node("n1", 4, "A100");
            h.node("n2", 2, "A100");
            h.gang("a", 4, 0);
            h.gang("b", 4, 0);
            // interleaved: a0 b0 a1 b1 a2 b2 a3 b3 (or b first); 6 GPUs, each gang needs 4
            for (int i = 0; i < 4; i++) {
                if (aFirst) {
                    h.pod("a-" + i, 1, 0, "default", "a");
                    h.pod("b-" + i, 1, 0, "default", "b");
                } else {
                    h.pod("b-" + i, 1, 0, "default", "b");
                    h.pod("a-" + i, 1, 0, "default", "a");
                }
            }
            h.step();
            long aBound = h.outbox.boundPodNames().stream().filter(n -> n.startsWith("a-")).count();
            long bBound = h.outbox.boundPodNames().stream().filter(n -> n.startsWith("b-")).count();
            assertThat(List.of(aBound, bBound)).as("a first: " + aFirst).containsExactlyInAnyOrder(4L, 0L);
            assertThat(aBound).as("the earlier gang goes first").isEqualTo(aFirst ? 4 : 0);
        }
    }

    @Test
    void membersBeyondMinMemberArePlacedOneByOneAfterwards() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 2, "A100");
        h.gang("elastic", 2, 0);
        PodSpec m0 = h.pod("e-0", 1, 0, "default", "elastic");
        PodSpec m1 = h.pod("e-1", 1, 0, "default", "elastic");
        PodSpec m2 = h.pod("e-2", 1, 0, "default", "elastic");
        h.step();
        assertThat(h.isBound(m0)).isTrue();
        assertThat(h.isBound(m1)).isTrue();
        assertThat(h.isBound(m2)).isFalse();
        h.node("n2", 1, "A100");
        h.step();
        assertThat(h.isBound(m2)).isTrue();
    }

    @Test
    void requiredRackTopologyNeverSpreadsAndSaysWhy() {
        AgentHarness h = new AgentHarness();
        h.node("r1-a", 2, "H100", new Topology("z", "rack-1", ""));
        h.node("r1-b", 1, "H100", new Topology("z", "rack-1", ""));
        h.node("r2-a", 2, "H100", new Topology("z", "rack-2", ""));
        h.gang(new GangSpec("ring", 4, 0, TopologyLevel.RACK, true));
        PodSpec first = null;
        for (int i = 0; i < 4; i++) {
            PodSpec p = h.pod("ring-" + i, 1, 0, "default", "ring");
            first = first == null ? p : first;
        }
        h.step();
        assertThat(h.outbox.binds).isEmpty();
        assertThat(h.reason(first)).contains("needs 4 x 1 GPU").contains("in one rack; largest has room for 3");

        h.node("r2-b", 2, "H100", new Topology("z", "rack-2", ""));
        h.step();
        assertThat(h.outbox.binds).hasSize(4);
        assertThat(h.outbox.binds).allMatch(b -> b.node().startsWith("r2-"));
    }

    @Test
    void preferredRackPacksIntoOneRackWhenOneFitsAndSpreadsOtherwise() {
        AgentHarness h = new AgentHarness();
        h.node("r1-a", 2, "H100", new Topology("z", "rack-1", ""));
        h.node("r2-a", 4, "H100", new Topology("z", "rack-2", ""));
        h.node("r2-b", 4, "H100", new Topology("z", "rack-2", ""));
        h.gang(new GangSpec("pref", 6, 0, TopologyLevel.RACK, false));
        for (int i = 0; i < 6; i++) {
            h.pod("pref-" + i, 1, 0, "default", "pref");
        }
        h.step();
        assertThat(h.outbox.binds).hasSize(6).allMatch(b -> b.node().startsWith("r2-"));

        AgentHarness spread = new AgentHarness();
        spread.node("r1-a", 2, "H100", new Topology("z", "rack-1", ""));
        spread.node("r2-a", 2, "H100", new Topology("z", "rack-2", ""));
        spread.gang(new GangSpec("pref", 4, 0, TopologyLevel.RACK, false));
        for (int i = 0; i < 4; i++) {
            spread.pod("pref-" + i, 1, 0, "default", "pref");
        }
        spread.step();
        assertThat(spread.outbox.binds).hasSize(4);
    }

    @Test
    void gangUsesTheFewestNodes() {
        AgentHarness h = new AgentHarness();
        h.node("small-1", 2, "A100");
        h.node("small-2", 2, "A100");
        h.node("big", 8, "A100");
        h.gang("g", 4, 0);
        for (int i = 0; i < 4; i++) {
            h.pod("g-" + i, 1, 0, "default", "g");
        }
        h.step();
        assertThat(h.outbox.binds).hasSize(4).allMatch(b -> b.node().equals("big"));
    }

    @Test
    void aFailedBindWithdrawsTheSiblingsStillInFlightAndReplansTheGangWithoutEverBindingAPodTwice() {
        AgentHarness h = new AgentHarness();
        h.autoBind = false;
        h.node("n1", 4, "A100");
        h.gang("g", 3, 0);
        List<PodSpec> members = List.of(h.pod("g-0", 1, 0, "default", "g"), h.pod("g-1", 1, 0, "default", "g"),
                h.pod("g-2", 1, 0, "default", "g"));
        h.step();
        assertThat(h.outbox.newBinds()).hasSize(3);
        h.send(new SchedulerEvent.BindSucceeded(members.get(0).id()));
        h.send(new SchedulerEvent.BindFailed(members.get(1).id(), "500 from the API server"));
        h.step();
        // g-1 failed and the gang fell below minMember: g-2's bind is withdrawn, not sent again
        assertThat(h.outbox.cancels).extracting(PodSpec::name).containsExactly("g-2");
        assertThat(h.outbox.newBinds()).isEmpty();
        assertThat(h.reason(members.get(1))).contains("waiting for 1 withdrawn bind(s) to settle");

        h.send(new SchedulerEvent.BindFailed(members.get(2).id(), "withdrawn"));
        h.step();
        // every result is in: the gang is planned again for the two members it lacks
        List<RecordingOutbox.Bind> retry = h.outbox.newBinds();
        assertThat(retry).extracting(b -> b.pod().name()).containsExactlyInAnyOrder("g-1", "g-2");
        assertThat(h.agent.state().gpuAllocatedMilli()).isEqualTo(3000);
    }

    @Test
    void aWithdrawnSiblingWhoseBindWentThroughStaysAndOnlyTheFailedMemberIsReplanned() {
        AgentHarness h = new AgentHarness();
        h.autoBind = false;
        h.node("n1", 4, "A100");
        h.gang("g", 3, 0);
        List<PodSpec> members = List.of(h.pod("g-0", 1, 0, "default", "g"), h.pod("g-1", 1, 0, "default", "g"),
                h.pod("g-2", 1, 0, "default", "g"));
        h.step();
        h.outbox.newBinds();
        h.send(new SchedulerEvent.BindSucceeded(members.get(0).id()));
        h.send(new SchedulerEvent.BindFailed(members.get(1).id(), "timeout"));
        h.step();
        h.send(new SchedulerEvent.BindSucceeded(members.get(2).id()));
        h.step();
        assertThat(h.outbox.newBinds()).extracting(b -> b.pod().name()).containsExactly("g-1");
    }

    /**
     * Without reasons, a failed plan is remembered by the member shape class and stands in for planning
     * gangs of that shape and need until room could have grown: then they are planned again and bind.
     */
    @Test
    void gangsOfOneShapeArePlannedAgainOnceRoomGrewAfterAFailedPlanWasRemembered() {
        AgentHarness h = new AgentHarness(SchedulerConfig.defaults().withReservationDelayNanos(0));
        h.outbox.wantsReasons = false;
        h.node("n1", 4, "A100");
        h.node("n2", 4, "A100");
        List<PodSpec> fillers = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fillers.add(h.pod("filler-" + i, 1, 0));
        }
        h.step();
        assertThat(fillers).allMatch(h::isBound);
        h.gang("a", 2, 0);
        h.gang("b", 2, 0);
        List<PodSpec> a = List.of(h.pod("a-0", 2, 0, "default", "a"), h.pod("a-1", 2, 0, "default", "a"));
        List<PodSpec> b = List.of(h.pod("b-0", 2, 0, "default", "b"), h.pod("b-1", 2, 0, "default", "b"));
        h.step();
        assertThat(h.outbox.binds).hasSize(8);

        // room for one member: both gangs fail again (the second by the remembered plan)
        String n1 = h.agent.state().nodeName(h.agent.nodeOf(fillers.get(0).id()));
        List<PodSpec> onN1 = fillers.stream().filter(f -> h.agent.state().nodeName(h.agent.nodeOf(f.id())).equals(n1)).toList();
        List<PodSpec> onN2 = fillers.stream().filter(f -> !onN1.contains(f)).toList();
        h.remove(onN1.get(0));
        h.remove(onN1.get(1));
        h.step();
        assertThat(h.outbox.binds).hasSize(8);

        // room for two: the first gang binds, the second fails on what is left
        h.remove(onN2.get(0));
        h.remove(onN2.get(1));
        h.step();
        assertThat(a).allMatch(h::isBound);
        assertThat(b).noneMatch(h::isBound);

        // the rest leaves: the second gang binds too
        h.remove(onN1.get(2));
        h.remove(onN1.get(3));
        h.remove(onN2.get(2));
        h.remove(onN2.get(3));
        h.step();
        assertThat(b).allMatch(h::isBound);
    }
}
