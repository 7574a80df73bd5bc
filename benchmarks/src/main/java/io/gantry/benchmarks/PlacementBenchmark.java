package io.gantry.benchmarks;

import io.gantry.core.model.PodSpec;
import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
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
 * One-pod decisions on a busy cluster ({@link BusyCluster}): place, then release, so the state is the
 * same before every decision. {@link #decide} is the {@link PodPlacer} (node classes for these
 * policies); {@link #decideFullScanBaseline} checks and scores every node with the same policy instance
 * and tie-break. Both assume and release, so the difference is the search.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PlacementBenchmark {

    @State(Scope.Thread)
    public static class Cluster {
        @Param({"1000", "10000", "50000"})
        public int nodes;

        @Param({"bestfit", "spread", "fgd"})
        public String policy;

        /** gpu1: one whole GPU (8 cores, 64 GiB); share: 250 milli-GPU (2 cores, 16 GiB). */
        @Param({"gpu1", "share"})
        public String pod;

        ClusterState state;
        PlacementPolicy scoring;
        TieBreak tieBreak;
        PodPlacer placer;
        PlacementRequest request;
        NaiveScan scan;

        @Setup
        public void setUp() {
            BusyCluster cluster = BusyCluster.build(nodes);
            state = cluster.state;
            scoring = Policies.create(policy, new PolicyContext(BusyCluster.SEED, cluster.taskShapes()));
            tieBreak = TieBreak.fixedRank(BusyCluster.SEED);
            placer = new PodPlacer(state, scoring, tieBreak);
            request = state.prepare(PodSpec.of(1, "bench-pod", "share".equals(pod) ? BusyCluster.SHARE : BusyCluster.ONE_GPU, Set.of()));
            scan = new NaiveScan(state.nodeSlots());
            int fast = placer.decide(request).node();
            int naive = scan.bestNode(state, scoring, tieBreak, request);
            System.out.println();
            System.out.println(cluster.describe());
            if (fast < 0 || fast != naive) {
                throw new IllegalStateException("placer chose node " + fast + ", full scan chose " + naive + " for " + pod + " under " + policy);
            }
        }
    }

    @Benchmark
    public int decide(Cluster c) {
        PlacementResult result = c.placer.place(c.request);
        c.state.release(c.request.id());
        return result.node();
    }

    @Benchmark
    public int decideFullScanBaseline(Cluster c) {
        int node = c.scan.bestNode(c.state, c.scoring, c.tieBreak, c.request);
        c.state.assume(c.request, node, c.scoring.chooseGpus(c.state, c.request, node));
        c.state.release(c.request.id());
        return node;
    }
}
