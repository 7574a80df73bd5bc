package io.gantry.simulator.inflation;

import io.gantry.core.policy.Policies;
import io.gantry.simulator.report.InflationJson;
import io.gantry.simulator.trace.SyntheticWorkload;
import io.gantry.simulator.trace.TraceNode;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InflationExperimentTest {

    private static Workload smallSynthetic(long seed) {
        return Workload.synthetic(SyntheticWorkload.Config.defaults().withSeed(seed).withNodeCount(40).withPodCount(400));
    }

    @Test
    void everyPolicyKeepsTheInvariantsAfterEveryPod() {
        InflationSummary summary = new InflationExperiment(smallSynthetic(5),
                new InflationExperiment.Config(Policies.ALL, 2, 42, 1.3, true, 2)).run(done -> { });
        assertThat(summary.policies()).extracting(InflationSummary.PolicySummary::policy).containsExactlyElementsOf(Policies.ALL);
        for (InflationSummary.PolicySummary p : summary.policies()) {
            assertThat(p.allocatedAt(130)).as(p.policy()).isBetween(1.0, 100.0);
            // allocation never decreases as demand arrives (no departures in this protocol)
            assertThat(p.allocatedAt(50)).as(p.policy()).isPositive().isLessThanOrEqualTo(p.allocatedAt(100));
            assertThat(p.finalAllocatedPct()).as(p.policy()).isLessThanOrEqualTo(100.0);
        }
    }

    @Test
    void sameSeedsGiveTheSameJsonWhateverTheThreadCount() throws Exception {
        InflationSummary one = new InflationExperiment(smallSynthetic(9),
                new InflationExperiment.Config(Policies.PAPER, 2, 42, 1.3, false, 1)).run(done -> { });
        InflationSummary two = new InflationExperiment(smallSynthetic(9),
                new InflationExperiment.Config(Policies.PAPER, 2, 42, 1.3, false, 2)).run(done -> { });
        assertThat(withoutWallTime(InflationJson.render(one))).isEqualTo(withoutWallTime(InflationJson.render(two)));
        InflationSummary otherSeeds = new InflationExperiment(smallSynthetic(9),
                new InflationExperiment.Config(Policies.PAPER, 2, 1000, 1.3, false, 2)).run(done -> { });
        assertThat(withoutWallTime(InflationJson.render(otherSeeds))).isNotEqualTo(withoutWallTime(InflationJson.render(one)));
    }

    private static String withoutWallTime(String json) {
        return json.replaceAll("\"wall_seconds\" : [0-9.Ee-]+", "\"wall_seconds\" : 0");
    }

    @Test
    void aPodThatFitsNowhereIsCountedAsFailedAndTheRestGoOn() {
        // one 2-GPU node; pods: an 8-GPU pod (never fits), and 1-GPU pods
        Workload workload = new Workload("hand", List.of(new TraceNode("n0", 64_000, 262_144, 2, "V100M32")),
                List.of(pod("big", 8), pod("one", 1), pod("two", 1)), 0, List.of());
        // demand 10 GPUs = target 5.0 x 2 GPUs: nothing removed, and the first copy would pass the target,
        // so the arrivals are the three pods, shuffled: "big" fails, the two 1-GPU pods fill the node.
        InflationSummary summary = new InflationExperiment(workload,
                new InflationExperiment.Config(List.of("bestfit"), 1, 1, 5.0, true, 1)).run(done -> { });
        InflationSummary.PolicySummary bestfit = summary.policy("bestfit");
        assertThat(bestfit.arrivalsMean()).isEqualTo(3);
        assertThat(bestfit.failedPodsMean()).isEqualTo(1);
        assertThat(bestfit.finalAllocatedPct()).isEqualTo(100.0);
    }

    private static TracePod pod(String name, int gpus) {
        return new TracePod(name, 1000, 1024, gpus, 1000, Set.of(), "", "", -1, -1, -1);
    }

    @Test
    void clearErrorsForAnEmptyClusterOrOneWithoutGpus() {
        Workload noNodes = new Workload("empty", List.of(), List.of(pod("a", 1)), 0, List.of());
        assertThatThrownBy(() -> new InflationExperiment(noNodes,
                new InflationExperiment.Config(List.of("fgd"), 1, 1, 1.3, false, 1)).run(done -> { }))
                .hasMessageContaining("the cluster is empty");
        Workload cpuOnly = new Workload("cpu", List.of(new TraceNode("c0", 64_000, 1024, 0, "")), List.of(pod("a", 1)), 0, List.of());
        assertThatThrownBy(() -> new InflationExperiment(cpuOnly,
                new InflationExperiment.Config(List.of("fgd"), 1, 1, 1.3, false, 1)).run(done -> { }))
                .hasMessageContaining("no GPUs");
    }

    @Test
    void configRejectsBadValuesNamingTheOption() {
        assertThatThrownBy(() -> new InflationExperiment.Config(List.of("fgd"), 0, 1, 1.3, false, 1)).hasMessageContaining("--seeds");
        assertThatThrownBy(() -> new InflationExperiment.Config(List.of(), 1, 1, 1.3, false, 1)).hasMessageContaining("--policies");
        assertThatThrownBy(() -> new InflationExperiment.Config(List.of("fgd"), 1, 1, -1, false, 1)).hasMessageContaining("--inflate-to");
        assertThat(Map.of("ok", new InflationExperiment.Config(List.of("fgd"), 1, 1, 1.3, false, 1))).isNotEmpty();
    }
}
