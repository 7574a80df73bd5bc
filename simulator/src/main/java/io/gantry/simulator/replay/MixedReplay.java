package io.gantry.simulator.replay;

import io.gantry.core.agent.SchedulerAgent;
import io.gantry.core.agent.SchedulerConfig;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.outbox.Outbox;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.simulator.trace.DlrmInstance;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DLRM inference trace beside the openb training trace on one cluster, through the real agent:
 * training pods arrive and leave at their openb times, inference instances at theirs (those without a
 * creation time at 0, those without a deletion time never leave), each instance a replica of its
 * {@code app_name} with its {@code max_instance_per_node} as the per-node cap, at a higher priority than
 * training (preemption off: this measures placement, not eviction). FGD is given the task shapes of
 * both traces, since inference replicas are a known, stable part of the demand.
 *
 * <p>Reports instances placed, cap violations counted by the simulator's own bookkeeping at every bind
 * (independent of the state's counters), replicas per node per service at the end, GPU allocation, and
 * the wall time from handing an inference pod to the agent to its first decision (bind or
 * unschedulable), in an HdrHistogram, for the instances created during the trace (those present at the
 * start arrive as one batch of thousands, whose queueing says nothing about one decision).
 */
public final class MixedReplay {
    static final int INFERENCE_PRIORITY = 100;
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long GIB = 1L << 30;

    /** What one mixed run found. Latencies in microseconds. */
    public record Result(String policy, int nodes, int trainingPods, int trainingPlaced, int instances, int instancesPlaced,
                         int capViolations, Map<Integer, Integer> replicasPerNodePerService, double meanGpuAllocatedPct,
                         double peakGpuAllocatedPct, long decisions, double latencyP50Us, double latencyP99Us, double latencyP999Us,
                         double latencyMaxUs, double wallSeconds, String agentError) {
    }

    private final SchedulerConfig scheduler;

    public MixedReplay(SchedulerConfig scheduler) {
        this.scheduler = scheduler;
    }

    public Result run(Workload training, List<DlrmInstance> inference) {
        long wallStart = System.nanoTime();
        List<PodSpec> specs = new ArrayList<>();
        List<long[]> times = new ArrayList<>();
        List<TaskShape> shapes = new ArrayList<>();
        for (TracePod pod : training.pods()) {
            ResourceRequest request = Workload.request(pod);
            specs.add(new PodSpec(specs.size(), pod.name(), request, 0, PodSpec.DEFAULT_QUEUE, WorkloadClass.TRAINING, pod.gpuSpec(),
                    Map.of(), List.of(), ""));
            long arrival = pod.creationTime() < 0 ? 0 : pod.creationTime() * SECOND;
            long duration = pod.creationTime() >= 0 && pod.deletionTime() >= 0 ? (pod.deletionTime() - pod.creationTime()) * SECOND : -1;
            times.add(new long[] {arrival, duration});
            shapes.add(TaskShape.of(request, pod.gpuSpec()));
        }
        int trainingCount = specs.size();
        for (DlrmInstance instance : inference) {
            ResourceRequest request = new ResourceRequest(instance.cpuCores() * 1000L, Math.round(instance.memoryGib() * GIB),
                    instance.gpus(), 0, 0);
            ServiceConstraints service = new ServiceConstraints(instance.app(),
                    instance.maxPerNode() == DlrmInstance.NO_CAP ? ServiceConstraints.NO_CAP : instance.maxPerNode(), List.of());
            specs.add(new PodSpec(specs.size(), instance.name(), request, INFERENCE_PRIORITY, PodSpec.DEFAULT_QUEUE, WorkloadClass.INFERENCE,
                    java.util.Set.of(), Map.of(), List.of(), "", service));
            long arrival = instance.existsFromStart() ? 0 : instance.creationMillis() * MS;
            long duration = instance.deletionMillis() < 0 ? -1 : instance.deletionMillis() * MS - arrival;
            times.add(new long[] {arrival, duration});
            shapes.add(TaskShape.of(request, java.util.Set.of()));
        }
        SchedulerConfig config = scheduler.withPreemption(false)
                .withTaskShapes(TaskShapeDistribution.typical(shapes, TaskShapeDistribution.PAPER_COVERAGE));
        int n = specs.size();
        ReplaySimulation.Jobs jobs = new ReplaySimulation.Jobs();
        for (int i = 0; i < n; i++) {
            jobs.add(specs.get(i), times.get(i)[0], times.get(i)[1], -1);
        }
        CachedNanoClock clock = new CachedNanoClock();
        ReplaySimulation.SimulatedOutbox simulated = new ReplaySimulation.SimulatedOutbox(jobs.duration, n, 0);
        LatencyOutbox outbox = new LatencyOutbox(simulated, specs, trainingCount);
        SchedulerAgent agent = new SchedulerAgent(config, new IntakeQueue(1024), outbox, clock);
        for (var node : training.nodes()) {
            agent.onEvent(new SchedulerEvent.NodeAdded(Workload.toNodeSpec(node)));
        }
        EventHeap heap = simulated.heap;
        for (int i = 0; i < n; i++) {
            heap.push(jobs.arrival[i], ReplaySimulation.ARRIVAL, i);
        }
        UtilizationSeries utilization = new UtilizationSeries();
        long capacity = Math.max(1, agent.state().gpuCapacityMilli());
        long nextSample = 0;
        long now = 0;
        while (!heap.isEmpty()) {
            now = heap.peekTime();
            clock.update(now);
            simulated.now = now;
            while (!heap.isEmpty() && heap.peekTime() == now) {
                int kind = heap.peekKind();
                int i = heap.peekRef();
                heap.pop();
                if (kind == ReplaySimulation.ARRIVAL) {
                    outbox.handedAt[i] = now == 0 ? 0 : System.nanoTime();
                    agent.podAdded(specs.get(i));
                } else if (kind == ReplaySimulation.DEPARTURE && simulated.running[i] && simulated.departAt[i] == now) {
                    simulated.running[i] = false;
                    outbox.departed(i);
                    agent.podRemoved(i);
                }
            }
            settle(agent, simulated, outbox, now);
            while (now >= nextSample) {
                utilization.add(nextSample, agent.state().gpuAllocatedMilli() * 100.0 / capacity, 0);
                nextSample += 600 * SECOND;
            }
        }
        int trainingPlaced = 0;
        int instancesPlaced = 0;
        for (int i = 0; i < n; i++) {
            if (simulated.firstBind[i] >= 0) {
                if (i < trainingCount) {
                    trainingPlaced++;
                } else {
                    instancesPlaced++;
                }
            }
        }
        Histogram h = outbox.latency;
        return new Result(config.trainingPolicy(), agent.state().nodeCount(), trainingCount, trainingPlaced, n - trainingCount,
                instancesPlaced, outbox.capViolations + agent.state().serviceCapViolations(), outbox.replicaDistribution(),
                utilization.meanAllocatedPct(), utilization.peakAllocatedPct(), h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0, (System.nanoTime() - wallStart) / 1e9, agent.errors() == 0 ? "" : agent.lastError());
    }

    /** As {@link ReplaySimulation}'s settle, keeping the latency outbox's bookkeeping on departures. */
    private static void settle(SchedulerAgent agent, ReplaySimulation.SimulatedOutbox simulated, LatencyOutbox outbox, long now) {
        while (true) {
            int work = agent.schedule(now);
            for (int k = 0; k < simulated.confirmNow.size(); k++) {
                agent.bindSucceeded(simulated.confirmNow.getInt(k));
            }
            simulated.confirmNow.clear();
            boolean departed = false;
            for (int k = 0; k < simulated.departNow.size(); k++) {
                int i = simulated.departNow.getInt(k);
                if (simulated.running[i]) {
                    simulated.running[i] = false;
                    outbox.departed(i);
                    agent.podRemoved(i);
                    departed = true;
                }
            }
            simulated.departNow.clear();
            if (work == 0 && !departed) {
                return;
            }
        }
    }

    /**
     * Passes decisions on to the simulated outbox and, for inference pods, records the first decision's
     * latency and counts replicas per (service, node) by itself to catch any cap violation.
     */
    private static final class LatencyOutbox implements Outbox {
        final ReplaySimulation.SimulatedOutbox inner;
        final long[] handedAt;
        final boolean[] decided;
        final Histogram latency = new Histogram(3_600_000_000_000L, 3);
        private final List<PodSpec> specs;
        private final int firstInference;
        private final Map<String, Integer> replicas = new HashMap<>();
        private final String[] nodeOf;
        int capViolations;

        LatencyOutbox(ReplaySimulation.SimulatedOutbox inner, List<PodSpec> specs, int firstInference) {
            this.inner = inner;
            this.specs = specs;
            this.firstInference = firstInference;
            this.handedAt = new long[specs.size()];
            this.decided = new boolean[specs.size()];
            this.nodeOf = new String[specs.size()];
        }

        private void firstDecision(PodSpec pod) {
            int i = (int) pod.id();
            if (i >= firstInference && !decided[i]) {
                decided[i] = true;
                if (handedAt[i] == 0) {
                    return; // arrived with the thousands present at the start: that batch's queueing is not a decision's latency
                }
                latency.recordValue(Math.max(0, System.nanoTime() - handedAt[i]));
            }
        }

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            firstDecision(pod);
            int i = (int) pod.id();
            if (i >= firstInference) {
                String key = pod.service().service() + "@" + nodeName;
                int count = replicas.merge(key, 1, Integer::sum);
                if (pod.service().maxPerNode() != ServiceConstraints.NO_CAP && count > pod.service().maxPerNode()) {
                    capViolations++;
                }
                nodeOf[i] = nodeName;
            }
            inner.bind(pod, nodeName, gpuMask);
        }

        void departed(int i) {
            if (i >= firstInference && nodeOf[i] != null) {
                replicas.merge(specs.get(i).service().service() + "@" + nodeOf[i], -1, Integer::sum);
                nodeOf[i] = null;
            }
        }

        /** Replicas-per-node value to how many (service, node) pairs hold that many now. */
        Map<Integer, Integer> replicaDistribution() {
            Map<Integer, Integer> out = new TreeMap<>();
            for (int count : replicas.values()) {
                if (count > 0) {
                    out.merge(count, 1, Integer::sum);
                }
            }
            return out;
        }

        @Override
        public void evict(PodSpec pod, String preemptor, String reason) {
            inner.evict(pod, preemptor, reason);
        }

        @Override
        public void unschedulable(PodSpec pod, String message) {
            firstDecision(pod);
        }

        @Override
        public boolean wantsReasons() {
            return false;
        }

        @Override
        public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
        }
    }
}
