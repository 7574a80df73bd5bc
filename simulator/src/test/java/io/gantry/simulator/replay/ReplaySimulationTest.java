package io.gantry.simulator.replay;

import io.gantry.core.agent.SchedulerConfig;
import io.gantry.simulator.report.ReplayJson;
import io.gantry.simulator.trace.SyntheticWorkload;
import io.gantry.simulator.trace.TraceNode;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReplaySimulationTest {

    private static TracePod pod(String name, int gpus, long created, long deleted) {
        return new TracePod(name, 1000, 1024, gpus, gpus == 0 ? 0 : 1000, Set.of(), "", "", created, deleted, -1);
    }

    private static ReplaySimulation.Config config(double gangShare, boolean check) {
        return new ReplaySimulation.Config(SchedulerConfig.defaults(), gangShare, 7, 0, 10_000_000_000L, check);
    }

    @Test
    void aPodThatDoesNotFitWaitsUntilCapacityFreesAndItsDelayIsMeasured() {
        // one node of 2 GPUs; a (2 GPUs, t=0..100 s), b (1 GPU, arrives t=10 s, runs 50 s): b waits 90 s
        Workload w = new Workload("hand", List.of(new TraceNode("n0", 64_000, 262_144, 2, "V100M32")),
                List.of(pod("a", 2, 0, 100), pod("b", 1, 10, 60)), 0, List.of());
        ReplayResult r = new ReplaySimulation(config(0, true)).run(w);
        assertThat(r.placedPods()).isEqualTo(2);
        assertThat(r.neverRan()).isZero();
        // HdrHistogram keeps 3 significant digits: 0.1% of the value
        assertThat(r.queueingDelay().max()).isCloseTo(90.0, within(0.1));
        assertThat(r.queueingDelay().p50()).isZero();
        // JCT: a 100 s; b waits 90 s then runs 50 s -> 140 s
        assertThat(r.jobCompletion().max()).isCloseTo(140.0, within(0.15));
        assertThat(r.virtualSeconds()).isCloseTo(150.0, within(0.01));
        assertThat(r.lastError()).isEmpty();
    }

    @Test
    void aPodThatFitsNowhereNeverRuns() {
        Workload w = new Workload("hand", List.of(new TraceNode("n0", 64_000, 262_144, 2, "V100M32")),
                List.of(pod("huge", 4, 0, 10), pod("ok", 1, 0, 10)), 0, List.of());
        ReplayResult r = new ReplaySimulation(config(0, true)).run(w);
        assertThat(r.neverRan()).isEqualTo(1);
        assertThat(r.placedPods()).isEqualTo(1);
    }

    @Test
    void gangsAreAllOrNothingAndTheirWaitIsReported() {
        Workload w = Workload.synthetic(SyntheticWorkload.Config.defaults().withNodeCount(40).withPodCount(600).withSeed(3));
        ReplayResult r = new ReplaySimulation(config(1.0, true)).run(w);
        assertThat(r.gangs()).isPositive();
        assertThat(r.gangWait().count()).isPositive();
        assertThat(r.placedPods() + r.neverRan()).isEqualTo(r.pods());
        assertThat(r.lastError()).isEmpty();
    }

    @Test
    void sameInputsSameJson() {
        Workload w = Workload.synthetic(SyntheticWorkload.Config.defaults().withNodeCount(30).withPodCount(400).withSeed(5));
        String one = ReplayJson.toTree(List.of(new ReplaySimulation(config(0.3, false)).run(w))).toString();
        String two = ReplayJson.toTree(List.of(new ReplaySimulation(config(0.3, false)).run(w))).toString();
        assertThat(one.replaceAll("wall_seconds=[0-9.E-]+|events_per_second=[0-9]+", ""))
                .isEqualTo(two.replaceAll("wall_seconds=[0-9.E-]+|events_per_second=[0-9]+", ""));
    }

    @Test
    void eventHeapPopsInTimeThenInsertionOrder() {
        EventHeap heap = new EventHeap();
        heap.push(5, 0, 1);
        heap.push(3, 0, 2);
        heap.push(5, 0, 3);
        heap.push(1, 0, 4);
        for (int i = 0; i < 2000; i++) {
            heap.push(10 + (i * 7919L) % 1000, 1, 100 + i);
        }
        assertThat(heap.peekRef()).isEqualTo(4);
        heap.pop();
        assertThat(heap.peekRef()).isEqualTo(2);
        heap.pop();
        assertThat(heap.peekRef()).isEqualTo(1);
        heap.pop();
        assertThat(heap.peekRef()).isEqualTo(3);
        heap.pop();
        long last = -1;
        while (!heap.isEmpty()) {
            assertThat(heap.peekTime()).isGreaterThanOrEqualTo(last);
            last = heap.peekTime();
            heap.pop();
        }
    }
}
