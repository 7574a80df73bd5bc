package io.gantry.simulator.replay;

import io.gantry.core.agent.SchedulerAgent;
import io.gantry.core.agent.SchedulerConfig;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.outbox.Outbox;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One timed replay of a workload under one scheduler configuration. Pods arrive at their trace
 * creation time (time 0 when unknown) and, once bound, run for their trace duration (deletion minus
 * creation; forever when unknown). An evicted pod is resubmitted at once, as its controller would.
 *
 * <p>With a gang share, whole multi-GPU jobs of the workload become distributed training gangs of
 * 2, 4 or 8 workers (chosen by the seed), each worker asking what the job asked, all-or-nothing.
 */
public final class ReplaySimulation {
    static final int ARRIVAL = 0;
    static final int DEPARTURE = 1;
    static final int EVICTED = 2;
    static final int BIND_CONFIRMED = 3;
    private static final long SECOND = 1_000_000_000L;
    private static final int[] GANG_SIZES = {2, 4, 8};

    /**
     * @param scheduler           the agent's configuration (policies, reservations, preemption)
     * @param gangShare           share of whole multi-GPU jobs turned into gangs, 0..1
     * @param seed                drives the gang mix
     * @param bindLatencyNanos    virtual time between a bind and its confirmation
     * @param sampleIntervalNanos how often utilisation is sampled
     * @param checkInvariants     verify the agent and the state after every instant (slow)
     */
    public record Config(SchedulerConfig scheduler, double gangShare, long seed, long bindLatencyNanos,
                         long sampleIntervalNanos, boolean checkInvariants) {
        public Config {
            if (!(gangShare >= 0 && gangShare <= 1)) {
                throw new IllegalArgumentException("--gang-share must be in 0..1, got " + gangShare);
            }
            if (bindLatencyNanos < 0 || sampleIntervalNanos <= 0) {
                throw new IllegalArgumentException("bind latency must be >= 0 and the sample interval > 0");
            }
        }

        public static Config defaults(SchedulerConfig scheduler) {
            return new Config(scheduler, 0, 1, 0, 60 * SECOND, false);
        }
    }

    private final Config config;

    public ReplaySimulation(Config config) {
        this.config = config;
    }

    /** The pods to replay, with gangs expanded; index = pod id. */
    static final class Jobs {
        final List<PodSpec> specs = new ArrayList<>();
        final List<GangSpec> gangs = new ArrayList<>();
        long[] arrival = new long[16];
        long[] duration = new long[16];
        int[] gangOf = new int[16];

        int size() {
            return specs.size();
        }

        void add(PodSpec spec, long arrivalNanos, long durationNanos, int gang) {
            int i = specs.size();
            if (i == arrival.length) {
                arrival = Arrays.copyOf(arrival, i * 2);
                duration = Arrays.copyOf(duration, i * 2);
                gangOf = Arrays.copyOf(gangOf, i * 2);
            }
            specs.add(spec);
            arrival[i] = arrivalNanos;
            duration[i] = durationNanos;
            gangOf[i] = gang;
        }
    }

    static Jobs jobsOf(Workload workload, double gangShare, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Jobs jobs = new Jobs();
        for (TracePod pod : workload.pods()) {
            long arrival = pod.creationTime() < 0 ? 0 : pod.creationTime() * SECOND;
            long duration = pod.creationTime() >= 0 && pod.deletionTime() >= 0 ? (pod.deletionTime() - pod.creationTime()) * SECOND : -1;
            ResourceRequest request = Workload.request(pod);
            boolean gang = gangShare > 0 && request.gpus() >= 2 && random.nextDouble() < gangShare;
            if (!gang) {
                int id = jobs.size();
                jobs.add(new PodSpec(id, pod.name(), request, 0, PodSpec.DEFAULT_QUEUE, WorkloadClass.TRAINING,
                        pod.gpuSpec(), Map.of(), List.of(), ""), arrival, duration, -1);
                continue;
            }
            int workers = GANG_SIZES[random.nextInt(GANG_SIZES.length)];
            int gangIndex = jobs.gangs.size();
            String key = pod.name();
            jobs.gangs.add(new GangSpec(key, workers, 0, io.gantry.core.gang.TopologyLevel.NONE, false));
            for (int w = 0; w < workers; w++) {
                int id = jobs.size();
                jobs.add(new PodSpec(id, pod.name() + "-worker-" + w, request, 0, PodSpec.DEFAULT_QUEUE,
                        WorkloadClass.TRAINING, pod.gpuSpec(), Map.of(), List.of(), key), arrival, duration, gangIndex);
            }
        }
        return jobs;
    }

    public ReplayResult run(Workload workload) {
        long wallStart = System.nanoTime();
        Jobs jobs = jobsOf(workload, config.gangShare(), config.seed());
        int n = jobs.size();
        CachedNanoClock clock = new CachedNanoClock();
        SimulatedOutbox outbox = new SimulatedOutbox(jobs.duration, n, config.bindLatencyNanos());
        SchedulerAgent agent = new SchedulerAgent(config.scheduler(), new IntakeQueue(1024), outbox, clock);
        for (var node : workload.nodes()) {
            agent.onEvent(new SchedulerEvent.NodeAdded(Workload.toNodeSpec(node)));
        }
        if (agent.state().nodeCount() == 0) {
            throw new IllegalArgumentException("the cluster is empty: the node list has no nodes");
        }
        boolean[] gangAnnounced = new boolean[jobs.gangs.size()];
        EventHeap heap = outbox.heap;
        for (int i = 0; i < n; i++) {
            heap.push(jobs.arrival[i], ARRIVAL, i);
        }
        long[] firstBind = outbox.firstBind;
        long[] completion = new long[n];
        Arrays.fill(completion, -1);
        UtilizationSeries utilization = new UtilizationSeries();
        long capacity = agent.state().gpuCapacityMilli();
        long nextSample = 0;
        long events = 0;
        int preemptions = 0;
        long now = 0;
        while (!heap.isEmpty()) {
            now = heap.peekTime();
            clock.update(now);
            outbox.now = now;
            while (!heap.isEmpty() && heap.peekTime() == now) {
                int kind = heap.peekKind();
                int i = heap.peekRef();
                heap.pop();
                events++;
                switch (kind) {
                    case ARRIVAL -> {
                        int g = jobs.gangOf[i];
                        if (g >= 0 && !gangAnnounced[g]) {
                            gangAnnounced[g] = true;
                            agent.onEvent(new SchedulerEvent.GangUpdated(jobs.gangs.get(g)));
                        }
                        agent.podAdded(jobs.specs.get(i));
                    }
                    case DEPARTURE -> {
                        if (outbox.running[i] && outbox.departAt[i] == now) {
                            outbox.running[i] = false;
                            completion[i] = now;
                            agent.podRemoved(i);
                        }
                    }
                    case EVICTED -> {
                        if (outbox.running[i]) {
                            outbox.running[i] = false;
                            preemptions++;
                            agent.podRemoved(i);
                            agent.podAdded(jobs.specs.get(i));
                        }
                    }
                    case BIND_CONFIRMED -> agent.bindSucceeded(i);
                    default -> throw new IllegalStateException("unknown event kind " + kind);
                }
            }
            settle(agent, outbox, completion, now);
            if (config.checkInvariants()) {
                agent.verify();
            }
            while (now >= nextSample) {
                utilization.add(nextSample, agent.state().gpuAllocatedMilli() * 100.0 / Math.max(1, capacity), outbox.pendingEstimate(n));
                nextSample += config.sampleIntervalNanos();
            }
        }
        utilization.add(now, agent.state().gpuAllocatedMilli() * 100.0 / Math.max(1, capacity), outbox.pendingEstimate(n));
        return ReplayResult.of(config.scheduler().trainingPolicy(), workload, jobs, firstBind, completion, utilization,
                preemptions, events, agent.errors() == 0 ? "" : agent.lastError(), (System.nanoTime() - wallStart) / 1e9, now);
    }

    /**
     * Schedules until nothing more can be placed at this instant: confirms binds without latency, and
     * lets pods of zero duration leave at once, which may free room again.
     */
    private static void settle(SchedulerAgent agent, SimulatedOutbox outbox, long[] completion, long now) {
        while (true) {
            int work = agent.schedule(now);
            for (int k = 0; k < outbox.confirmNow.size(); k++) {
                agent.bindSucceeded(outbox.confirmNow.getInt(k));
            }
            outbox.confirmNow.clear();
            boolean departed = false;
            for (int k = 0; k < outbox.departNow.size(); k++) {
                int i = outbox.departNow.getInt(k);
                if (outbox.running[i]) {
                    outbox.running[i] = false;
                    completion[i] = now;
                    agent.podRemoved(i);
                    departed = true;
                }
            }
            outbox.departNow.clear();
            if (work == 0 && !departed) {
                return;
            }
        }
    }

    /** Carries the agent's decisions into the event heap at virtual time. */
    static final class SimulatedOutbox implements Outbox {
        final EventHeap heap = new EventHeap();
        final long[] firstBind;
        final long[] departAt;
        final boolean[] running;
        final IntArrayList confirmNow = new IntArrayList();
        final IntArrayList departNow = new IntArrayList();
        private final long[] duration;
        private final long bindLatency;
        long now;
        int boundCount;

        SimulatedOutbox(long[] duration, int pods, long bindLatency) {
            this.duration = duration;
            this.bindLatency = bindLatency;
            firstBind = new long[pods];
            Arrays.fill(firstBind, -1);
            departAt = new long[pods];
            running = new boolean[pods];
        }

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            int i = (int) pod.id();
            if (firstBind[i] < 0) {
                firstBind[i] = now;
                boundCount++;
            }
            running[i] = true;
            if (bindLatency == 0) {
                confirmNow.addInt(i);
            } else {
                heap.push(now + bindLatency, BIND_CONFIRMED, i);
            }
            long d = duration[i];
            if (d == 0) {
                departAt[i] = now;
                departNow.addInt(i);
            } else if (d > 0) {
                departAt[i] = now + d;
                heap.push(departAt[i], DEPARTURE, i);
            }
        }

        @Override
        public void evict(PodSpec pod, String preemptor, String reason) {
            heap.push(now, EVICTED, (int) pod.id());
        }

        @Override
        public void unschedulable(PodSpec pod, String message) {
            // the replay reports delays, not reasons
        }

        @Override
        public boolean wantsReasons() {
            return false;
        }

        @Override
        public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
            // gang wait times come from the bind times
        }

        int pendingEstimate(int pods) {
            return pods - boundCount;
        }
    }
}
