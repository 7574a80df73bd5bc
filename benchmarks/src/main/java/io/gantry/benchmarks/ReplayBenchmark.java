package io.gantry.benchmarks;

import io.gantry.core.agent.SchedulerConfig;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.simulator.replay.ReplayResult;
import io.gantry.simulator.replay.ReplaySimulation;
import io.gantry.simulator.trace.SyntheticWorkload;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Timed replay of a synthetic workload (1,000 nodes, {@code pods} pods, the simulator's default mix and
 * arrival rate) through {@link ReplaySimulation}, best fit. One operation is one whole replay; the
 * {@code events} counter ({@link ReplayResult#events()} summed) divided by the time is the events per
 * second to read.
 *
 * <p>{@link #replayNaiveBaseline}: the same arrivals and departures driven by a straightforward loop: a
 * {@link PriorityQueue} of event objects, a full scan of the nodes per placement (best fit, same
 * tie-break), pending pods retried in arrival order after each departure until the first that still does
 * not fit. It schedules differently (no queues, no gangs, head-of-line blocking), so compare the rates,
 * not the outcomes.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplayBenchmark {
    static final int NODES = 1_000;
    private static final long SECOND = 1_000_000_000L;

    @State(Scope.Benchmark)
    public static class Input {
        @Param({"20000"})
        public int pods;

        Workload workload;
        ReplaySimulation simulation;

        @Setup
        public void setUp() {
            workload = Workload.synthetic(SyntheticWorkload.Config.defaults().withNodeCount(NODES).withPodCount(pods));
            SchedulerConfig scheduler = SchedulerConfig.defaults().withTaskShapes(workload.typicalShapes());
            simulation = new ReplaySimulation(ReplaySimulation.Config.defaults(scheduler));
        }
    }

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Events {
        /** Simulation events processed: read this one, as events per second. */
        public long events;
    }

    @Benchmark
    public ReplayResult replay(Input in, Events counter) {
        ReplayResult result = in.simulation.run(in.workload);
        if (!result.lastError().isEmpty()) {
            throw new IllegalStateException("replay error: " + result.lastError());
        }
        counter.events += result.events();
        return result;
    }

    @Benchmark
    public long replayNaiveBaseline(Input in, Events counter) {
        long events = NaiveReplay.run(in.workload);
        counter.events += events;
        return events;
    }

    /** The straightforward replay loop of {@link #replayNaiveBaseline}. */
    static final class NaiveReplay {
        private record Event(long time, long seq, boolean arrival, int pod) {
        }

        static long run(Workload workload) {
            ClusterState state = new ClusterState(workload.nodes().size(), BusyCluster.SEED);
            for (var node : workload.nodes()) {
                state.addNode(Workload.toNodeSpec(node));
            }
            PlacementPolicy policy = Policies.create("bestfit", PolicyContext.of(BusyCluster.SEED));
            TieBreak tieBreak = TieBreak.fixedRank(BusyCluster.SEED);
            NaiveScan scan = new NaiveScan(state.nodeSlots());
            List<TracePod> pods = workload.pods();
            PlacementRequest[] requests = new PlacementRequest[pods.size()];
            long[] duration = new long[pods.size()];
            PriorityQueue<Event> heap = new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
            long seq = 0;
            for (int i = 0; i < pods.size(); i++) {
                TracePod pod = pods.get(i);
                requests[i] = state.prepare(Workload.toPodSpec(pod, i, pod.name()));
                long arrival = pod.creationTime() < 0 ? 0 : pod.creationTime() * SECOND;
                duration[i] = pod.creationTime() >= 0 && pod.deletionTime() >= 0 ? (pod.deletionTime() - pod.creationTime()) * SECOND : -1;
                heap.add(new Event(arrival, seq++, true, i));
            }
            ArrayDeque<Integer> pending = new ArrayDeque<>();
            long events = 0;
            while (!heap.isEmpty()) {
                Event e = heap.poll();
                events++;
                if (e.arrival) {
                    if (!pending.isEmpty() || !tryPlace(state, policy, tieBreak, scan, requests[e.pod])) {
                        pending.addLast(e.pod);
                        continue;
                    }
                    if (duration[e.pod] >= 0) {
                        heap.add(new Event(e.time + duration[e.pod], seq++, false, e.pod));
                    }
                } else {
                    state.release(e.pod);
                    while (!pending.isEmpty() && tryPlace(state, policy, tieBreak, scan, requests[pending.peekFirst()])) {
                        int p = pending.pollFirst();
                        if (duration[p] >= 0) {
                            heap.add(new Event(e.time + duration[p], seq++, false, p));
                        }
                    }
                }
            }
            return events;
        }

        private static boolean tryPlace(ClusterState state, PlacementPolicy policy, TieBreak tieBreak, NaiveScan scan, PlacementRequest pod) {
            int node = scan.bestNode(state, policy, tieBreak, pod);
            if (node < 0) {
                return false;
            }
            state.assume(pod, node, policy.chooseGpus(state, pod, node));
            return true;
        }
    }
}
