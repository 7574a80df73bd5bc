package io.gantry.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;
import io.gantry.core.model.Topology;
import io.gantry.core.model.WorkloadClass;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Service constraints and node pools through the real agent: wake-ups, gangs and overflow, worked by hand. */
class ServiceScenarioTest {
    private static final ServiceConstraints ZONE_SPREAD = new ServiceConstraints("web", 0,
            List.of(SpreadConstraint.doNotSchedule(SpreadLevel.ZONE, 1)));
    private long nextId = 100;

    private PodSpec replica(AgentHarness h, ResourceRequest request, ServiceConstraints service) {
        PodSpec spec = new PodSpec(nextId, "web-" + nextId, request, 0, "default", WorkloadClass.INFERENCE, Set.of(), Map.of(),
                List.of(), "", service);
        nextId++;
        h.send(new SchedulerEvent.PodAdded(spec));
        return spec;
    }

    private static NodeSpec node(String name, int cores, String zone, String pool) {
        return new NodeSpec(name, cores * 1000L, 256L << 30, 8, "A100", 0, pool.isEmpty() ? Map.of() : Map.of("gantry.io/pool", pool),
                new Topology(zone, "", ""), true, List.of());
    }

    @Test
    void aReplicaPlacedInTheEmptyZoneByOthersWakesTheOneWaitingOnSkew() {
        AgentHarness h = new AgentHarness();
        h.send(new SchedulerEvent.NodeAdded(node("a0", 64, "a", "")));
        NodeSpec b0 = node("b0", 4, "b", "");
        h.send(new SchedulerEvent.NodeAdded(b0));
        ResourceRequest big = ResourceRequest.cpuOnly(8000, 1L << 30); // only a0 has room for it
        PodSpec first = replica(h, big, ZONE_SPREAD);
        PodSpec second = replica(h, big, ZONE_SPREAD);
        h.step();
        assertThat(h.isBound(first)).isTrue();
        assertThat(h.isBound(second)).isFalse();
        assertThat(h.reason(second)).contains("zone a would have skew 2 > maxSkew 1 for service web");
        // another scheduler binds a replica of web in zone b: a0 did not change, yet now takes the second
        PodSpec external = new PodSpec(99, "web-external", ResourceRequest.cpuOnly(4000, 1L << 30), 0, "default",
                WorkloadClass.INFERENCE, Set.of(), Map.of(), List.of(), "", ZONE_SPREAD);
        h.send(new SchedulerEvent.PodBound(external, "b0", 0));
        h.step();
        assertThat(h.isBound(second)).isTrue();
        assertThat(h.agent.state().serviceCapViolations()).isZero();
    }

    @Test
    void aReplicaLeavingItsNodeWakesTheOneWaitingOnTheCap() {
        AgentHarness h = new AgentHarness();
        h.send(new SchedulerEvent.NodeAdded(node("n0", 64, "", "")));
        ServiceConstraints capOne = ServiceConstraints.capped("web", 1);
        PodSpec first = replica(h, ResourceRequest.wholeGpus(1000, 1L << 30, 1), capOne);
        PodSpec second = replica(h, ResourceRequest.wholeGpus(1000, 1L << 30, 1), capOne);
        h.step();
        assertThat(h.isBound(first)).isTrue();
        assertThat(h.reason(second)).isEqualTo("0/1 nodes fit: 1 node already has the service's most replicas per node"
                + " (for example node n0 already has 1 replicas of service web (cap 1))");
        h.remove(first);
        h.step();
        assertThat(h.isBound(second)).isTrue();
    }

    @Test
    void aGangOfOneServiceKeepsItsPerNodeCap() {
        AgentHarness h = new AgentHarness();
        for (int i = 0; i < 3; i++) {
            h.send(new SchedulerEvent.NodeAdded(node("n" + i, 64, "", "")));
        }
        h.gang(new GangSpec("ring", 4, 0, TopologyLevel.NONE, false));
        List<PodSpec> members = new java.util.ArrayList<>();
        for (int m = 0; m < 4; m++) {
            PodSpec spec = new PodSpec(nextId++, "ring-" + m, ResourceRequest.wholeGpus(1000, 1L << 30, 1), 0, "default",
                    WorkloadClass.TRAINING, Set.of(), Map.of(), List.of(), "ring", ServiceConstraints.capped("ring", 2));
            h.send(new SchedulerEvent.PodAdded(spec));
            members.add(spec);
        }
        h.step();
        Map<String, Long> perNode = h.outbox.binds.stream().collect(java.util.stream.Collectors.groupingBy(b -> b.node(),
                java.util.stream.Collectors.counting()));
        assertThat(perNode.values()).containsExactly(2L, 2L);
    }

    @Test
    void eachClassPrefersItsPoolAndOverflowsWhenItIsFull() {
        AgentHarness h = new AgentHarness(SchedulerConfig.defaults().withPools(new NodePools("gantry.io/pool", "training", "inference")));
        h.send(new SchedulerEvent.NodeAdded(node("inf", 64, "", "inference")));
        h.send(new SchedulerEvent.NodeAdded(node("train", 64, "", "training")));
        PodSpec serving = replica(h, ResourceRequest.wholeGpus(1000, 1L << 30, 1), ServiceConstraints.NONE);
        List<PodSpec> training = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            training.add(h.pod("train-" + i, 4, 0)); // 4 GPUs each: the training pool holds two
        }
        h.step();
        Map<String, String> nodeOf = new java.util.HashMap<>();
        h.outbox.binds.forEach(b -> nodeOf.put(b.pod().name(), b.node()));
        assertThat(nodeOf.get(serving.name())).isEqualTo("inf");
        assertThat(List.of(nodeOf.get("train-0"), nodeOf.get("train-1"), nodeOf.get("train-2"))).containsExactly("train", "train", "inf");
    }
}
