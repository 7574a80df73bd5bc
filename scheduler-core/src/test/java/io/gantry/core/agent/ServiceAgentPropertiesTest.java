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
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Random streams of inference replicas (services with per-node caps and DoNotSchedule / ScheduleAnyway
 * spread over nodes, zones and racks) and training pods and gangs through the real agent, with
 * departures and the odd new node, optionally with node pools: {@link SchedulerAgent#verify()} after
 * every duty cycle (it checks the state's replica counts against the placements), no bind ever breaks a
 * cap or a DoNotSchedule skew (counted by brute force from the binds in the order they went out), and
 * once the agent settles no pending replica fits any node: wake-ups never strand one.
 */
class ServiceAgentPropertiesTest {
    private static final List<String> ZONES = List.of("a", "b", "c");

    private record Replica(PodSpec spec, int service) {
    }

    @Property(tries = 120)
    void randomInferenceAndTrainingStreamsNeverBreakACapOrAHardSkew(@ForAll long seed, @ForAll @IntRange(min = 2, max = 12) int nodes,
                                                                    @ForAll boolean pools) {
        SplittableRandom random = new SplittableRandom(seed);
        SchedulerConfig config = SchedulerConfig.defaults().withReservationDelayNanos(0).withSeed(seed);
        if (pools) {
            config = config.withPools(new NodePools("gantry.io/pool", "training", "inference"));
        }
        AgentHarness h = new AgentHarness(config);
        int names = 0;
        for (; names < nodes; names++) {
            addNode(h, random, "n" + names);
        }
        List<ServiceConstraints> services = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            ServiceConstraints c = ServiceConstraints.capped("svc" + s, random.nextInt(3));
            for (SpreadLevel level : SpreadLevel.values()) {
                if (random.nextInt(3) == 0) {
                    c = c.withSpread(new SpreadConstraint(level, 1 + random.nextInt(2), random.nextInt(3) != 0));
                }
            }
            services.add(c);
        }
        Map<Long, Replica> replicas = new LinkedHashMap<>();
        Map<Long, String> boundTo = new HashMap<>();
        List<PodSpec> live = new ArrayList<>();
        long nextId = 1_000_000; // apart from the ids the harness gives training pods
        int gangs = 0;
        int bindsSeen = 0;
        for (int op = 0; op < 60; op++) {
            int kind = random.nextInt(10);
            if (kind < 5) {
                int s = random.nextInt(services.size());
                ResourceRequest request = random.nextBoolean() ? ResourceRequest.wholeGpus(4000, 8L << 30, 1)
                        : ResourceRequest.cpuOnly(8000, 16L << 30);
                PodSpec spec = new PodSpec(nextId, "svc" + s + "-" + nextId, request, 0, "default", WorkloadClass.INFERENCE,
                        Set.of(), Map.of(), List.of(), "", services.get(s));
                nextId++;
                replicas.put(spec.id(), new Replica(spec, s));
                live.add(spec);
                h.send(new SchedulerEvent.PodAdded(spec));
            } else if (kind < 7) {
                live.add(h.pod("train-" + op, 1 + random.nextInt(4), 0));
            } else if (kind == 7) {
                String key = "g" + gangs++;
                int members = 2 + random.nextInt(3);
                h.gang(new GangSpec(key, members, 0, TopologyLevel.NONE, false));
                for (int m = 0; m < members; m++) {
                    live.add(h.pod(key + "-" + m, ResourceRequest.wholeGpus(2000, 1L << 30, 2), 0, "default", key, WorkloadClass.TRAINING));
                }
            } else if (kind == 8 && !live.isEmpty()) {
                PodSpec gone = live.remove(random.nextInt(live.size()));
                h.remove(gone);
                boundTo.remove(gone.id());
                replicas.remove(gone.id());
            } else if (random.nextInt(3) == 0) {
                addNode(h, random, "n" + names++);
            }
            h.step();
            for (; bindsSeen < h.outbox.binds.size(); bindsSeen++) {
                var bind = h.outbox.binds.get(bindsSeen);
                Replica replica = replicas.get(bind.pod().id());
                if (replica != null && !boundTo.containsKey(bind.pod().id())) {
                    boundTo.put(bind.pod().id(), bind.node());
                    assertKept(h.agent.state(), services.get(replica.service()), replica.service(), bind.node(), replicas, boundTo);
                }
            }
            assertThat(h.agent.state().serviceCapViolations()).isZero();
        }
        ClusterState state = h.agent.state();
        for (Replica r : replicas.values()) {
            if (!boundTo.containsKey(r.spec().id())) {
                PlacementRequest request = state.prepare(r.spec());
                for (int n = 0; n < state.nodeSlots(); n++) {
                    assertThat(state.isLive(n) && state.fits(request, n)).as("pending %s fits %s after the agent settled (its reason: %s; errors %s)",
                            r.spec().name(), state.isLive(n) ? state.nodeName(n) : "-", h.reason(r.spec()), h.agent.lastError()).isFalse();
                }
            }
        }
    }

    private static void addNode(AgentHarness h, SplittableRandom random, String name) {
        Map<String, String> labels = Map.of("gantry.io/pool", random.nextBoolean() ? "inference" : "training");
        h.send(new SchedulerEvent.NodeAdded(new NodeSpec(name, (8 + 8 * random.nextInt(4)) * 1000L, 128L << 30, 4 * random.nextInt(3), "A100", 0,
                labels, new Topology(ZONES.get(random.nextInt(ZONES.size())), "r" + random.nextInt(2), ""), true, List.of())));
    }

    /** The replica just bound to {@code node} (already counted in {@code boundTo}) keeps its cap and DoNotSchedule skews. */
    private static void assertKept(ClusterState state, ServiceConstraints service, int s, String node, Map<Long, Replica> replicas,
                                   Map<Long, String> boundTo) {
        Map<String, Integer> perNode = new HashMap<>();
        for (Map.Entry<Long, String> e : boundTo.entrySet()) {
            if (replicas.containsKey(e.getKey()) && replicas.get(e.getKey()).service() == s) {
                perNode.merge(e.getValue(), 1, Integer::sum);
            }
        }
        if (service.maxPerNode() != ServiceConstraints.NO_CAP) {
            assertThat(perNode.get(node)).as("replicas of %s on %s", service.service(), node).isLessThanOrEqualTo(service.maxPerNode());
        }
        for (SpreadConstraint c : service.spread()) {
            if (!c.hard()) {
                continue;
            }
            Map<String, Integer> perDomain = new HashMap<>();
            for (int n = 0; n < state.nodeSlots(); n++) {
                if (state.isLive(n)) {
                    perDomain.put(domainOf(state.node(n), c.level()), 0);
                }
            }
            perNode.forEach((name, count) -> perDomain.merge(domainOf(state.node(state.nodeId(name)), c.level()), count, Integer::sum));
            int fewest = perDomain.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            // after the placement: its domain minus the fewest, which equals Kubernetes' skew before it
            assertThat(perDomain.get(domainOf(state.node(state.nodeId(node)), c.level())) - fewest)
                    .as("%s skew of %s at %s", c.level(), service.service(), node).isLessThanOrEqualTo(c.maxSkew());
        }
    }

    private static String domainOf(NodeSpec node, SpreadLevel level) {
        return switch (level) {
            case NODE -> node.name();
            case ZONE -> node.topology().zone();
            case RACK -> node.topology().rack();
        };
    }
}
