package io.gantry.core.agent;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.Topology;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.queue.QueueSpec;
import org.agrona.concurrent.CachedNanoClock;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Drives a real {@link SchedulerAgent} by hand: events go through the intake queue, {@link #step()}
 * runs duty cycles until there is no work, and a virtual clock moves only when told. With
 * {@code autoBind} every bind the agent sends is confirmed at the next step, as a binder would.
 */
final class AgentHarness {
    static final long SECOND = 1_000_000_000L;

    final CachedNanoClock clock = new CachedNanoClock();
    final IntakeQueue intake = new IntakeQueue(4096);
    final RecordingOutbox outbox = new RecordingOutbox();
    final SchedulerAgent agent;
    boolean autoBind = true;
    private long nextId = 1;

    AgentHarness(SchedulerConfig config) {
        clock.update(0);
        agent = new SchedulerAgent(config, intake, outbox, clock);
    }

    AgentHarness() {
        this(SchedulerConfig.defaults().withReservationDelayNanos(60 * SECOND));
    }

    void send(SchedulerEvent event) {
        if (!intake.offer(event)) {
            throw new IllegalStateException("intake full");
        }
    }

    /** Runs duty cycles (confirming binds when autoBind) until the agent has nothing to do. */
    void step() {
        for (int i = 0; i < 10_000; i++) {
            int work = agent.doWork();
            int confirmed = 0;
            if (autoBind) {
                for (RecordingOutbox.Bind b : outbox.newBinds()) {
                    send(new SchedulerEvent.BindSucceeded(b.pod().id()));
                    confirmed++;
                }
            }
            agent.verify();
            if (work == 0 && confirmed == 0 && intake.size() == 0) {
                return;
            }
        }
        throw new IllegalStateException("agent did not settle");
    }

    void advance(long nanos) {
        clock.update(clock.nanoTime() + nanos);
    }

    NodeSpec node(String name, int gpus, String model) {
        return node(name, gpus, model, Topology.NONE);
    }

    NodeSpec node(String name, int gpus, String model, Topology topology) {
        NodeSpec spec = new NodeSpec(name, 64_000, 512L << 30, gpus, model, 0, Map.of(), topology, true, List.of());
        send(new SchedulerEvent.NodeAdded(spec));
        return spec;
    }

    PodSpec pod(String name, int gpus, int priority) {
        return pod(name, gpus, priority, "default", "");
    }

    PodSpec pod(String name, int gpus, int priority, String queue, String gang) {
        return pod(name, ResourceRequest.wholeGpus(1000, 1L << 30, gpus), priority, queue, gang, WorkloadClass.TRAINING);
    }

    PodSpec pod(String name, ResourceRequest request, int priority, String queue, String gang, WorkloadClass workloadClass) {
        PodSpec spec = new PodSpec(nextId++, name, request, priority, queue, workloadClass, Set.of(), Map.of(), List.of(), gang);
        send(new SchedulerEvent.PodAdded(spec));
        return spec;
    }

    void gang(String key, int minMember, long timeoutNanos) {
        send(new SchedulerEvent.GangUpdated(new GangSpec(key, minMember, timeoutNanos, TopologyLevel.NONE, false)));
    }

    void gang(GangSpec spec) {
        send(new SchedulerEvent.GangUpdated(spec));
    }

    void queue(QueueSpec spec) {
        send(new SchedulerEvent.QueueUpdated(spec));
    }

    void remove(PodSpec pod) {
        send(new SchedulerEvent.PodRemoved(pod.id(), true));
    }

    boolean isBound(PodSpec pod) {
        return outbox.binds.stream().anyMatch(b -> b.pod().id() == pod.id()) && agent.nodeOf(pod.id()) >= 0;
    }

    String reason(PodSpec pod) {
        return outbox.lastReasonByPod.get(pod.name());
    }
}
