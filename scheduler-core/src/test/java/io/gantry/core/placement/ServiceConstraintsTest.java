package io.gantry.core.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;
import io.gantry.core.model.Topology;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hand-worked cases for each service constraint, decided by {@link PodPlacer} with best fit (which on
 * its own would pack every replica onto one node, so every spread seen here is the constraint's).
 */
class ServiceConstraintsTest {
    private static final long GIB = 1L << 30;
    private final ClusterState state = new ClusterState(8, 7);
    private final PodPlacer placer = new PodPlacer(state, Policies.create("bestfit", PolicyContext.of(7)), TieBreak.fixedRank(7));
    private long nextId = 1;

    private int node(String name, String zone, int cores) {
        return state.addNode(new NodeSpec(name, cores * 1000L, 256 * GIB, 8, "A100", 0, Map.of(),
                new Topology(zone, "", ""), true, List.of()));
    }

    private PlacementRequest replica(ServiceConstraints service) {
        long id = nextId++;
        return state.prepare(PodSpec.of(id, "web-" + id, ResourceRequest.wholeGpus(1000, GIB, 1), Set.of()).withService(service));
    }

    private Map<String, Integer> perNode(String service) {
        Map<String, Integer> counts = new HashMap<>();
        int id = state.serviceId(service);
        for (int n = 0; n < state.nodeSlots(); n++) {
            if (state.isLive(n) && state.serviceReplicasOn(id, n) > 0) {
                counts.put(state.nodeName(n), state.serviceReplicasOn(id, n));
            }
        }
        return counts;
    }

    @Test
    void aPerNodeCapSpreadsReplicasThatBestFitWouldPack() {
        for (int i = 0; i < 3; i++) {
            node("n" + i, "", 64); // three identical nodes: one node class
        }
        ServiceConstraints web = ServiceConstraints.capped("web", 2);
        for (int i = 0; i < 6; i++) {
            assertThat(placer.place(replica(web)).isPlaced()).isTrue();
        }
        assertThat(perNode("web")).isEqualTo(Map.of("n0", 2, "n1", 2, "n2", 2));
        PlacementResult seventh = placer.place(replica(web));
        assertThat(seventh.isPlaced()).isFalse();
        assertThat(seventh.unfitCount(UnfitCause.SERVICE_CAP)).isEqualTo(3);
        assertThat(seventh.reason()).startsWith("0/3 nodes fit: 3 nodes already have the service's most replicas per node")
                .containsPattern("node n[012] already has 2 replicas of service web \\(cap 2\\)");
        assertThat(state.serviceCapViolations()).isZero();
        state.verify();
    }

    @Test
    void antiAffinityOnHostnameIsACapOfOneAndOtherServicesDoNotCount() {
        node("n0", "", 64);
        node("n1", "", 64);
        assertThat(placer.place(replica(ServiceConstraints.capped("api", 1))).node()).isEqualTo(placer.place(replica(ServiceConstraints.capped("web", 1))).node());
        PlacementResult second = placer.place(replica(ServiceConstraints.capped("web", 1)));
        assertThat(second.isPlaced()).isTrue();
        assertThat(perNode("web")).isEqualTo(Map.of("n0", 1, "n1", 1));
        assertThat(placer.place(replica(ServiceConstraints.capped("web", 1))).isPlaced()).isFalse();
    }

    @Test
    void aReleasedReplicaOpensItsNodeAgain() {
        int only = node("n0", "", 64);
        ServiceConstraints web = ServiceConstraints.capped("web", 1);
        PlacementRequest first = replica(web);
        assertThat(placer.place(first).node()).isEqualTo(only);
        assertThat(placer.decide(replica(web)).isPlaced()).isFalse();
        state.release(first.id());
        assertThat(placer.decide(replica(web)).node()).isEqualTo(only);
        state.verify();
    }

    @Test
    void zoneSpreadWithDoNotScheduleAlternatesZones() {
        node("a0", "a", 64);
        node("a1", "a", 64);
        node("b0", "b", 64);
        ServiceConstraints web = ServiceConstraints.capped("web", ServiceConstraints.NO_CAP)
                .withSpread(SpreadConstraint.doNotSchedule(SpreadLevel.ZONE, 1));
        int[] zoneCounts = new int[2];
        for (int i = 0; i < 4; i++) {
            PlacementResult result = placer.place(replica(web));
            assertThat(result.isPlaced()).isTrue();
            zoneCounts[state.nodeName(result.node()).startsWith("a") ? 0 : 1]++;
            // after each placement the zones differ by at most maxSkew 1
            assertThat(Math.abs(zoneCounts[0] - zoneCounts[1])).isLessThanOrEqualTo(1);
        }
        assertThat(zoneCounts).containsExactly(2, 2);
        assertThat(state.fewestServiceReplicas(state.serviceId("web"), SpreadLevel.ZONE)).isEqualTo(2);
        state.verify();
    }

    @Test
    void aFullZoneBlocksTheOtherZoneBeyondMaxSkewAndSaysWhich() {
        node("a0", "a", 64);
        node("b0", "b", 1); // room for one 1-core replica only
        ServiceConstraints web = new ServiceConstraints("web", ServiceConstraints.NO_CAP,
                List.of(SpreadConstraint.doNotSchedule(SpreadLevel.ZONE, 1)));
        assertThat(placer.place(replica(web)).isPlaced()).isTrue();
        assertThat(placer.place(replica(web)).isPlaced()).isTrue(); // one in each zone now
        PlacementResult third = placer.place(replica(web)); // a: 1 + 1 - 1 = 1, fine
        assertThat(state.nodeName(third.node())).isEqualTo("a0");
        PlacementResult fourth = placer.place(replica(web)); // a: 2 + 1 - 1 = 2 > 1; b is full
        assertThat(fourth.isPlaced()).isFalse();
        assertThat(fourth.unfitCount(UnfitCause.SPREAD_SKEW)).isEqualTo(1);
        assertThat(fourth.unfitCount(UnfitCause.INSUFFICIENT_CPU)).isEqualTo(1);
        assertThat(fourth.reason()).contains("zone a would have skew 2 > maxSkew 1 for service web");
    }

    @Test
    void aNodeWithoutTheZoneLabelIsRuledOutByAHardZoneConstraint() {
        node("plain", "", 64);
        ServiceConstraints web = new ServiceConstraints("web", 0, List.of(SpreadConstraint.doNotSchedule(SpreadLevel.ZONE, 1)));
        PlacementResult result = placer.place(replica(web));
        assertThat(result.isPlaced()).isFalse();
        assertThat(result.reason()).contains("1 node lacks the topology label of a DoNotSchedule spread constraint")
                .contains("node plain has no zone label (topology.kubernetes.io/zone)");
    }

    @Test
    void nodeSpreadWithMaxSkewOneFillsEveryNodeBeforeAnySecondReplica() {
        for (int i = 0; i < 3; i++) {
            node("n" + i, "", 64);
        }
        ServiceConstraints web = new ServiceConstraints("web", 0, List.of(SpreadConstraint.doNotSchedule(SpreadLevel.NODE, 1)));
        for (int i = 0; i < 5; i++) {
            assertThat(placer.place(replica(web)).isPlaced()).isTrue();
        }
        assertThat(perNode("web").values()).containsExactlyInAnyOrder(2, 2, 1);
    }

    @Test
    void scheduleAnywayPrefersTheEmptierZoneButOverflowsWhenItIsFull() {
        node("a0", "a", 64);
        node("b0", "b", 2); // room for two 1-core replicas
        ServiceConstraints web = new ServiceConstraints("web", 0, List.of(SpreadConstraint.scheduleAnyway(SpreadLevel.ZONE, 1)));
        List<String> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            PlacementResult result = placer.place(replica(web));
            assertThat(result.isPlaced()).as("ScheduleAnyway never refuses a node that fits").isTrue();
            nodes.add(state.nodeName(result.node()));
        }
        // a, b, a, b (the zones kept within maxSkew), then b is full: the rest go to a beyond maxSkew
        assertThat(nodes.subList(0, 4)).containsExactlyInAnyOrder("a0", "a0", "b0", "b0");
        assertThat(nodes.subList(4, 6)).containsExactly("a0", "a0");
    }

    @Test
    void aPoolRestrictionIsAFitRuleOnLabelsThatLiftsToOverflow() {
        int inference = state.addNode(NodeSpec.of("inf", 64_000, 256 * GIB, 8, "A100").withLabels(Map.of("gantry.io/pool", "inference")));
        int training = state.addNode(NodeSpec.of("train", 64_000, 256 * GIB, 8, "A100").withLabels(Map.of("gantry.io/pool", "training")));
        int bit = state.registerPool("gantry.io/pool", "inference");
        PlacementRequest pod = replica(ServiceConstraints.NONE);
        pod.restrictToPools(bit);
        assertThat(state.fitCause(pod, training)).isEqualTo(UnfitCause.OUTSIDE_POOL);
        assertThat(placer.decide(pod).node()).isEqualTo(inference);
        pod.restrictToPools(0);
        assertThat(state.fits(pod, training)).isTrue();
        state.verify();
    }

    @Test
    void badConstraintsNameTheServiceAndTheField() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceConstraints.capped("web", -1))
                .hasMessage("service web: maxPerNode must be 0 (no cap) or more, got -1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SpreadConstraint.doNotSchedule(SpreadLevel.ZONE, 0))
                .hasMessage("spread constraint on ZONE: maxSkew must be at least 1, got 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceConstraints.capped("", 2))
                .hasMessageStartingWith("service constraints need a service key");
    }
}
