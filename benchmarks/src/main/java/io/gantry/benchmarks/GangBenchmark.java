package io.gantry.benchmarks;

import io.gantry.core.gang.GangPlanner;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.placement.NodeFilter;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Gangs of 8-GPU pods on a busy 10,000-node cluster ({@link BusyCluster}, best fit): plan and commit
 * with the {@link GangPlanner}, then release every member so the state is restored (the release, O(1)
 * per member, is inside the measured time). {@link #planNoFit} measures saying no: a gang one member
 * larger than the cluster's fully free nodes, so the planner places all it can before it rolls back.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GangBenchmark {
    static final int NODES = 10_000;

    /** The cluster and the planner shared by both suites' states. */
    abstract static class Base {
        ClusterState state;
        PlacementPolicy policy;
        TieBreak tieBreak;
        GangPlanner planner;

        void build() {
            BusyCluster cluster = BusyCluster.build(NODES);
            state = cluster.state;
            policy = Policies.create("bestfit", new PolicyContext(BusyCluster.SEED, cluster.taskShapes()));
            tieBreak = TieBreak.fixedRank(BusyCluster.SEED);
            planner = new GangPlanner(state, tieBreak);
            System.out.println();
            System.out.println(cluster.describe());
        }

        PlacementRequest[] members(int count) {
            PlacementRequest[] members = new PlacementRequest[count];
            for (int i = 0; i < count; i++) {
                members[i] = state.prepare(PodSpec.of(i + 1, "gang-worker-" + i, BusyCluster.EIGHT_GPUS, Set.of()).withGang("bench-gang"));
            }
            return members;
        }
    }

    @State(Scope.Thread)
    public static class Fits extends Base {
        @Param({"8", "64", "256"})
        public int members;

        PlacementRequest[] gang;
        GangSpec spec;
        NaiveScan scan;

        @Setup
        public void setUp() {
            build();
            gang = members(members);
            spec = GangSpec.of("bench-gang", members);
            scan = new NaiveScan(state.nodeSlots());
        }
    }

    @State(Scope.Thread)
    public static class NoFit extends Base {
        PlacementRequest[] gang;
        GangSpec spec;

        @Setup
        public void setUp() {
            build();
            int size = new BusyClusterView(state).fullyFreeNodes() + 1;
            gang = members(size);
            spec = GangSpec.of("bench-gang", size);
            System.out.println("no-fit gang: " + size + " x 8 GPUs");
        }
    }

    @Benchmark
    public int planAndCommit(Fits s) {
        if (!s.planner.plan(s.gang, s.members, s.members, s.spec, s.policy, NodeFilter.ALL)) {
            throw new IllegalStateException(s.planner.failure());
        }
        int placed = s.planner.placed();
        s.planner.clear();
        for (int i = 0; i < s.members; i++) {
            s.state.release(s.gang[i].id());
        }
        return placed;
    }

    /** The same gang, member by member, each with a full scan of the nodes (best fit, same tie-break). */
    @Benchmark
    public int planAndCommitFullScanBaseline(Fits s) {
        int placed = 0;
        for (int i = 0; i < s.members; i++) {
            PlacementRequest member = s.gang[i];
            int node = s.scan.bestNode(s.state, s.policy, s.tieBreak, member);
            if (node < 0) {
                break;
            }
            s.state.assume(member, node, s.policy.chooseGpus(s.state, member, node));
            placed++;
        }
        for (int i = 0; i < placed; i++) {
            s.state.release(s.gang[i].id());
        }
        if (placed < s.members) {
            throw new IllegalStateException("full scan placed " + placed + " of " + s.members);
        }
        return placed;
    }

    @Benchmark
    public boolean planNoFit(NoFit s) {
        boolean placed = s.planner.plan(s.gang, s.gang.length, s.gang.length, s.spec, s.policy, NodeFilter.ALL);
        if (placed) {
            throw new IllegalStateException("the no-fit gang of " + s.gang.length + " was placed");
        }
        return placed;
    }

    /** Reads of the state the setup needs. */
    private record BusyClusterView(ClusterState state) {
        int fullyFreeNodes() {
            int n = 0;
            for (int node = 0; node < state.nodeSlots(); node++) {
                n += state.isLive(node) && state.freeWholeGpus(node) == BusyCluster.NODE_GPUS ? 1 : 0;
            }
            return n;
        }
    }
}
