package io.gantry.benchmarks;

import io.gantry.core.agent.SchedulerAgent;
import io.gantry.core.agent.SchedulerConfig;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.outbox.Outbox;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import org.agrona.concurrent.CachedNanoClock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Pods per second from intake event to outbox decision through the real {@link SchedulerAgent} on a
 * busy 5,000-node cluster (the {@link BusyCluster} fill, sent as {@code PodBound} events). One operation
 * is one pod's life in the scheduler: its {@code PodAdded} is offered, {@code doWork()} runs until the
 * outbox has its bind, then its {@code BindSucceeded} and {@code PodRemoved} are offered and drained, so
 * the state is the same before every batch. Events and specs are preallocated and reused; run with
 * {@code -prof gc} to see the allocation per pod ({@code gc.alloc.rate.norm}).
 *
 * <p>{@link #podsNaiveLoopBaseline}: the same events through a straightforward loop: an
 * {@link ArrayBlockingQueue}, a full scan of the nodes per pod (best fit, same tie-break), the same outbox.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AgentBenchmark {
    static final int NODES = 5_000;
    static final int BATCH = 256;
    /** Events applied and units decided per duty cycle. */
    static final int CYCLE_LIMIT = 1024;

    /** Counts decisions and does nothing else, as a binder hand-off would cost nothing here. */
    static final class CountingOutbox implements Outbox {
        long binds;
        long unschedulable;
        long other;
        int lastMask;

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            binds++;
            lastMask = gpuMask;
        }

        @Override
        public void evict(PodSpec pod, String preemptor, String reason) {
            other++;
        }

        @Override
        public void unschedulable(PodSpec pod, String message) {
            unschedulable++;
        }

        @Override
        public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
            other++;
        }

        long decisions() {
            return binds + unschedulable;
        }
    }

    /** The batch: half 1-GPU pods, half 250 milli-GPU shares, ids 1..BATCH. */
    static PodSpec[] batchSpecs() {
        PodSpec[] specs = new PodSpec[BATCH];
        for (int i = 0; i < BATCH; i++) {
            ResourceRequest r = i % 2 == 0 ? BusyCluster.ONE_GPU : BusyCluster.SHARE;
            specs[i] = PodSpec.of(i + 1, "bench-pod-" + i, r, Set.of());
        }
        return specs;
    }

    @State(Scope.Thread)
    public static class Agent {
        IntakeQueue intake;
        CountingOutbox outbox;
        SchedulerAgent agent;
        SchedulerEvent[] added;
        SchedulerEvent[] bound;
        SchedulerEvent[] removed;

        @Setup
        public void setUp() {
            BusyCluster cluster = BusyCluster.build(NODES);
            intake = new IntakeQueue(4 * BATCH);
            outbox = new CountingOutbox();
            SchedulerConfig config = SchedulerConfig.defaults().withSeed(BusyCluster.SEED).withCycleLimits(CYCLE_LIMIT, CYCLE_LIMIT)
                    .withTaskShapes(cluster.taskShapes());
            agent = new SchedulerAgent(config, intake, outbox, new CachedNanoClock());
            for (var node : cluster.nodes) {
                agent.onEvent(new SchedulerEvent.NodeAdded(node));
            }
            for (int i = 0; i < cluster.fillPods; i++) {
                agent.onEvent(new SchedulerEvent.PodBound(cluster.fillSpec(i), cluster.nodes[cluster.fillNode[i]].name(), cluster.fillMask[i]));
            }
            if (agent.errors() > 0) {
                throw new IllegalStateException("agent setup: " + agent.errors() + " errors, last: " + agent.lastError());
            }
            PodSpec[] specs = batchSpecs();
            added = new SchedulerEvent[BATCH];
            bound = new SchedulerEvent[BATCH];
            removed = new SchedulerEvent[BATCH];
            for (int i = 0; i < BATCH; i++) {
                added[i] = new SchedulerEvent.PodAdded(specs[i]);
                bound[i] = new SchedulerEvent.BindSucceeded(specs[i].id());
                removed[i] = new SchedulerEvent.PodRemoved(specs[i].id(), true);
            }
            System.out.println();
            System.out.println(cluster.describe());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long pods(Agent s) {
        long target = s.outbox.decisions() + BATCH;
        for (int i = 0; i < BATCH; i++) {
            s.intake.offer(s.added[i]);
        }
        while (s.outbox.decisions() < target) {
            s.agent.doWork();
        }
        if (s.outbox.unschedulable > 0) {
            throw new IllegalStateException("the cluster is too full for the batch: " + s.outbox.unschedulable + " unschedulable");
        }
        for (int i = 0; i < BATCH; i++) {
            s.intake.offer(s.bound[i]);
            s.intake.offer(s.removed[i]);
        }
        while (s.agent.doWork() > 0) {
            // drain the results
        }
        return s.outbox.binds;
    }

    @State(Scope.Thread)
    public static class Naive {
        ArrayBlockingQueue<SchedulerEvent> intake;
        CountingOutbox outbox;
        ClusterState state;
        PlacementPolicy policy;
        TieBreak tieBreak;
        NaiveScan scan;
        final ArrayDeque<PlacementRequest> requests = new ArrayDeque<>();
        final org.agrona.collections.Long2ObjectHashMap<PlacementRequest> placed = new org.agrona.collections.Long2ObjectHashMap<>();
        SchedulerEvent[] added;
        SchedulerEvent[] bound;
        SchedulerEvent[] removed;

        @Setup
        public void setUp() {
            BusyCluster cluster = BusyCluster.build(NODES);
            state = cluster.state;
            intake = new ArrayBlockingQueue<>(4 * BATCH);
            outbox = new CountingOutbox();
            policy = Policies.create("bestfit", new PolicyContext(BusyCluster.SEED, cluster.taskShapes()));
            tieBreak = TieBreak.fixedRank(BusyCluster.SEED);
            scan = new NaiveScan(state.nodeSlots());
            PodSpec[] specs = batchSpecs();
            added = new SchedulerEvent[BATCH];
            bound = new SchedulerEvent[BATCH];
            removed = new SchedulerEvent[BATCH];
            for (int i = 0; i < BATCH; i++) {
                added[i] = new SchedulerEvent.PodAdded(specs[i]);
                bound[i] = new SchedulerEvent.BindSucceeded(specs[i].id());
                removed[i] = new SchedulerEvent.PodRemoved(specs[i].id(), true);
                requests.add(state.prepare(specs[i]));
            }
        }

        void apply(SchedulerEvent event) {
            if (event instanceof SchedulerEvent.PodAdded e) {
                PlacementRequest request = requests.pollFirst();
                state.prepare(e.pod(), request);
                int node = scan.bestNode(state, policy, tieBreak, request);
                if (node < 0) {
                    outbox.unschedulable(e.pod(), "no node fits");
                    requests.addFirst(request);
                    return;
                }
                int gpus = policy.chooseGpus(state, request, node);
                state.assume(request, node, gpus);
                placed.put(request.id(), request);
                outbox.bind(e.pod(), state.nodeName(node), gpus);
            } else if (event instanceof SchedulerEvent.PodRemoved e) {
                PlacementRequest request = placed.remove(e.podId());
                if (request != null) {
                    state.release(e.podId());
                    requests.addLast(request);
                }
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long podsNaiveLoopBaseline(Naive s) {
        for (int i = 0; i < BATCH; i++) {
            s.intake.offer(s.added[i]);
        }
        SchedulerEvent e;
        while ((e = s.intake.poll()) != null) {
            s.apply(e);
        }
        for (int i = 0; i < BATCH; i++) {
            s.intake.offer(s.bound[i]);
            s.intake.offer(s.removed[i]);
        }
        while ((e = s.intake.poll()) != null) {
            s.apply(e);
        }
        return s.outbox.binds;
    }
}
