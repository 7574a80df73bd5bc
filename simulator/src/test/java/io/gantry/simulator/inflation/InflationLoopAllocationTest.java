package io.gantry.simulator.inflation;

import io.gantry.core.policy.Policies;
import io.gantry.simulator.SharedTraces;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulator's event loop allocates nothing per event once its caches have grown: measured with
 * the JVM's per-thread allocation counter over the second half of a run on the real trace (a count of
 * bytes, not a timing). Skipped when the traces are absent or the JVM cannot count allocations.
 *
 * <p>Not for {@code fgd}, {@code bestfit} and {@code spread}: they keep a score order per pod shape
 * (about 25 bytes per node), allocated when a shape gets it, which on the trace happens late in the run
 * for rare shapes (seven shapes first arrive in the second half); and under spread node classes keep
 * growing their member heaps. That is growth, not per-decision work, but it does not settle within one
 * run: {@code ScoreOrderAllocationTest} in scheduler-core holds those policies to zero allocation once
 * their shapes have their orders.
 */
class InflationLoopAllocationTest {
    private static final List<String> GROWING = List.of("fgd", "bestfit", "spread");

    static List<String> policies() {
        return Policies.ALL.stream().filter(p -> !GROWING.contains(p)).toList();
    }

    @ParameterizedTest
    @MethodSource("policies")
    void secondHalfOfTheLoopAllocatesNothing(String policy) throws Exception {
        Path openb = SharedTraces.openbOrSkip();
        Workload workload = Workload.openb(openb.resolve("openb_node_list_gpu_node.csv"),
                openb.resolve("openb_pod_list_default.csv"), false);
        List<TracePod> arrivals = InflationTuner.arrivals(workload.podsByName(), workload.gpuCapacityMilli(), 1.3, new SplittableRandom(42));
        List<io.gantry.core.model.PodSpec> specs = new ArrayList<>();
        for (int i = 0; i < arrivals.size(); i++) {
            specs.add(Workload.toPodSpec(arrivals.get(i), i, arrivals.get(i).name()));
        }
        List<io.gantry.core.model.NodeSpec> nodes = workload.nodes().stream().map(Workload::toNodeSpec).toList();
        InflationRun.Series warmUp = new InflationRun(nodes, specs, policy, 42, workload.typicalShapes(), false).run();
        Assumptions.assumeTrue(warmUp.secondHalfAllocatedBytes() >= 0, "skipping: this JVM does not count thread allocations");
        InflationRun.Series measured = new InflationRun(nodes, specs, policy, 42, workload.typicalShapes(), false).run();
        int events = measured.events() - measured.events() / 2;
        // under a byte per event of slack for JIT and counter noise; a per-event allocation of even one
        // 16-byte object would show as 80 kB over these ~5,400 events
        assertThat(measured.secondHalfAllocatedBytes()).as("%s: bytes allocated over %d events", policy, events)
                .isLessThan(4096);
    }
}
