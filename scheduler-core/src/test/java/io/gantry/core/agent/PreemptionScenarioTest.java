package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.queue.QueueSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.gantry.core.agent.AgentHarness.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

/** Preemption, quota reclaim and starvation scenarios, driven through the agent. */
class PreemptionScenarioTest {

    @Test
    void evictsTheLowestPriorityVictimsOnlyAndThePreemptorBindsWhenTheyAreGone() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 8, "A100");
        PodSpec low1 = h.pod("low-1", 4, 1);
        PodSpec low5 = h.pod("low-5", 2, 5);
        PodSpec low7 = h.pod("low-7", 2, 7);
        h.step();
        PodSpec high = h.pod("high", 4, 10);
        h.step();
        // lowest priority first: low-1 alone frees 4 GPUs
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactly("low-1");
        assertThat(h.isBound(high)).isFalse();
        assertThat(h.reason(high)).contains("waiting for 1 lower-priority pod(s) to be evicted");

        // no second round while it waits, even when something wakes it
        h.node("n2", 1, "T4");
        h.step();
        assertThat(h.outbox.newEvictions()).isEmpty();

        h.remove(low1);
        h.step();
        assertThat(h.isBound(high)).isTrue();
        assertThat(h.isBound(low5)).isTrue();
        assertThat(h.isBound(low7)).isTrue();
    }

    @Test
    void nothingIsEvictedWhenIdlePlusPreemptibleCapacityIsShort() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        h.node("n2", 4, "A100");
        h.pod("low-a", 4, 1);
        h.pod("mid-b", 4, 50);
        h.step();
        // needs 12 GPUs; the cluster has 8, of which only 4 are preemptible for priority 10
        h.gang("g", 3, 0);
        for (int i = 0; i < 3; i++) {
            h.pod("g-" + i, 4, 10, "default", "g");
        }
        h.step();
        assertThat(h.outbox.evictions).isEmpty();
        // same for a single pod that needs more than idle plus preemptible
        PodSpec wide = h.pod("wide", 8, 10);
        h.step();
        assertThat(h.outbox.evictions).isEmpty();
        assertThat(h.isBound(wide)).isFalse();
    }

    @Test
    void equalPriorityNeverPreempts() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 2, "A100");
        h.pod("a", 2, 5);
        h.step();
        PodSpec b = h.pod("b", 2, 5);
        h.step();
        assertThat(h.outbox.evictions).isEmpty();
        assertThat(h.reason(b)).contains("0/1 nodes fit");
    }

    @Test
    void evictingAGangMemberBelowMinMemberTakesTheWholeGangAsOneVictim() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        h.node("n2", 4, "A100");
        h.gang("low-gang", 2, 0);
        h.pod("lg-0", 4, 1, "default", "low-gang");
        h.pod("lg-1", 4, 1, "default", "low-gang");
        h.step();
        PodSpec high = h.pod("high", 4, 10);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactlyInAnyOrder("lg-0", "lg-1");
        assertThat(high).isNotNull();
    }

    @Test
    void inferenceIsNotPreemptedWhenConfiguredSo() {
        AgentHarness h = new AgentHarness(SchedulerConfig.defaults().withInferencePreemptible(false));
        h.node("n1", 2, "A100");
        h.pod("serve", ResourceRequest.wholeGpus(1000, 1L << 30, 2), 1, "default", "", WorkloadClass.INFERENCE);
        h.step();
        h.pod("train", 2, 10);
        h.step();
        assertThat(h.outbox.evictions).isEmpty();

        AgentHarness allowed = new AgentHarness(SchedulerConfig.defaults().withInferencePreemptible(true));
        allowed.node("n1", 2, "A100");
        allowed.pod("serve", ResourceRequest.wholeGpus(1000, 1L << 30, 2), 1, "default", "", WorkloadClass.INFERENCE);
        allowed.step();
        allowed.pod("train", 2, 10);
        allowed.step();
        assertThat(allowed.outbox.evictions).extracting(e -> e.pod().name()).containsExactly("serve");
    }

    @Test
    void aQueueWithinItsGuaranteeReclaimsBorrowedCapacityButNeverBelowTheLendersGuarantee() {
        AgentHarness h = new AgentHarness();
        h.queue(QueueSpec.guaranteed("team-a", 4));
        h.queue(QueueSpec.guaranteed("team-b", 4));
        h.node("n1", 8, "A100");
        List<PodSpec> b = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            b.add(h.pod("b-" + i, 1, 0, "team-b", ""));
        }
        h.step();
        assertThat(b).allMatch(h::isBound); // team-b borrows team-a's idle 4 GPUs

        List<PodSpec> a = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            a.add(h.pod("a-" + i, 1, 0, "team-a", ""));
        }
        h.step();
        List<String> evicted = h.outbox.newEvictions().stream().map(e -> e.pod().name()).toList();
        assertThat(evicted).hasSize(4).allMatch(n -> n.startsWith("b-"));
        for (String name : evicted) {
            h.remove(b.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow());
        }
        h.step();
        assertThat(a.stream().filter(h::isBound).count()).isEqualTo(4);
        // a-4 would take team-a above its guarantee, and team-b is at its own: nothing more is reclaimed
        assertThat(h.outbox.newEvictions()).isEmpty();
        assertThat(h.agent.queues().gpuHeld(h.agent.queues().queueIndex("team-b"))).isEqualTo(4000);
    }

    @Test
    void nothingIsReclaimedFromAQueueAtItsGuarantee() {
        AgentHarness h = new AgentHarness();
        h.queue(QueueSpec.guaranteed("team-a", 2));
        h.queue(QueueSpec.guaranteed("team-b", 2));
        h.node("n1", 2, "A100");
        h.pod("b-0", 1, 0, "team-b", "");
        h.pod("b-1", 1, 0, "team-b", "");
        h.step();
        h.pod("a-0", 1, 0, "team-a", "");
        h.step();
        assertThat(h.outbox.evictions).isEmpty();
    }

    @Test
    void queueLimitStopsBorrowingAndALargerLimitWakesTheWork() {
        AgentHarness h = new AgentHarness();
        h.queue(new QueueSpec("capped", 1000, 2000, 0, 1));
        h.node("n1", 8, "A100");
        PodSpec p0 = h.pod("c-0", 1, 0, "capped", "");
        PodSpec p1 = h.pod("c-1", 1, 0, "capped", "");
        PodSpec p2 = h.pod("c-2", 1, 0, "capped", "");
        h.step();
        assertThat(h.isBound(p0)).isTrue();
        assertThat(h.isBound(p1)).isTrue();
        assertThat(h.isBound(p2)).isFalse();
        assertThat(h.reason(p2)).contains("queue capped is at its limit of 2000 milli-GPU");
        h.queue(new QueueSpec("capped", 1000, 3000, 0, 1));
        h.step();
        assertThat(h.isBound(p2)).isTrue();
    }

    @Test
    void fairShareServesTheQueueFurthestBelowItsShareFirst() {
        AgentHarness h = new AgentHarness();
        h.queue(QueueSpec.guaranteed("a", 4));
        h.queue(QueueSpec.guaranteed("b", 4));
        h.node("n1", 4, "A100");
        // team a arrives first with 4 pods, team b right after with 4; only 4 GPUs: fair share alternates
        for (int i = 0; i < 4; i++) {
            h.pod("a-" + i, 1, 0, "a", "");
        }
        for (int i = 0; i < 4; i++) {
            h.pod("b-" + i, 1, 0, "b", "");
        }
        h.step();
        long aBound = h.outbox.boundPodNames().stream().filter(n -> n.startsWith("a-")).count();
        long bBound = h.outbox.boundPodNames().stream().filter(n -> n.startsWith("b-")).count();
        assertThat(aBound).isEqualTo(2);
        assertThat(bBound).isEqualTo(2);
    }

    @Test
    void bigGangIsNotBlockingSmallPodsThenReservesAndIsPlacedAsRunningWorkEnds() {
        AgentHarness h = new AgentHarness(SchedulerConfig.defaults().withReservationDelayNanos(10 * SECOND));
        h.node("n1", 8, "A100");
        h.node("n2", 8, "A100");
        PodSpec s1 = h.pod("small-1", 1, 0);
        PodSpec s2 = h.pod("small-2", 1, 0);
        h.step();
        // best fit packs both small pods on one node, so the two-node big gang cannot fit
        assertThat(h.agent.nodeOf(s1.id())).isEqualTo(h.agent.nodeOf(s2.id()));
        h.gang("big", 2, 0);
        PodSpec big0 = h.pod("big-0", 8, 0, "default", "big");
        PodSpec big1 = h.pod("big-1", 8, 0, "default", "big");
        PodSpec s3 = h.pod("small-3", 1, 0);
        h.step();
        assertThat(h.isBound(s3)).as("a small pod behind the big gang still flows").isTrue();
        assertThat(h.isBound(big0)).isFalse();
        h.node("side", 4, "A100");
        h.step();

        h.advance(11 * SECOND);
        h.step();
        assertThat(h.agent.reservedNodes()).isEqualTo(2);
        // the stream keeps flowing, outside the reservation (best fit alone would pick the fuller n-node)
        List<PodSpec> stream = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            stream.add(h.pod("stream-" + i, 1, 0));
        }
        h.step();
        assertThat(stream).allMatch(h::isBound);
        assertThat(h.outbox.binds.stream().filter(b -> b.pod().name().startsWith("stream-")))
                .allMatch(b -> b.node().equals("side"));

        // running work on the reserved nodes ends: the gang is placed
        for (PodSpec small : List.of(s1, s2, s3)) {
            h.remove(small);
        }
        h.step();
        assertThat(h.isBound(big0)).isTrue();
        assertThat(h.isBound(big1)).isTrue();
        assertThat(h.agent.reservedNodes()).isZero();
    }

    @Test
    void aRefusedEvictionKeepsTheVictimAndThePreemptorPicksAnotherVictim() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        h.node("n2", 4, "A100");
        PodSpec guarded = h.pod("guarded", 4, 1);
        PodSpec other = h.pod("other", 4, 2);
        h.step();
        PodSpec high = h.pod("high", 4, 10);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactly("guarded");

        h.send(new io.gantry.core.intake.SchedulerEvent.EvictionRefused(guarded.id(), "429: PodDisruptionBudget"));
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactly("other");
        assertThat(h.agent.nodeOf(guarded.id())).isNotNegative();

        h.remove(other);
        h.step();
        assertThat(h.isBound(high)).isTrue();
        assertThat(h.agent.state().nodeName(h.agent.nodeOf(high.id())))
                .isEqualTo(h.agent.state().nodeName(h.agent.nodeOf(guarded.id())).equals("n1") ? "n2" : "n1");
    }

    @Test
    void aVictimWhoseEvictionWasRefusedIsChosenAgainOnlyAfterItsProtectionEnds() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        PodSpec guarded = h.pod("guarded", 4, 1);
        h.step();
        PodSpec high = h.pod("high", 4, 10);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactly("guarded");
        h.send(new io.gantry.core.intake.SchedulerEvent.EvictionRefused(guarded.id(), "429"));
        h.step();
        assertThat(h.outbox.newEvictions()).isEmpty();
        assertThat(h.isBound(high)).isFalse();

        h.advance(SchedulerAgent.REFUSED_VICTIM_PROTECTION_NANOS + SECOND);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactly("guarded");
    }
}
