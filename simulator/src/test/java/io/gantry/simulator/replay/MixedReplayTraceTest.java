package io.gantry.simulator.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.agent.SchedulerConfig;
import io.gantry.simulator.SharedTraces;
import io.gantry.simulator.trace.DlrmInstance;
import io.gantry.simulator.trace.DlrmTraceReader;
import io.gantry.simulator.trace.TraceReadResult;
import io.gantry.simulator.workload.Workload;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

/** End to end: the whole DLRM inference trace beside the openb training trace; skipped when the traces are absent. */
class MixedReplayTraceTest {

    @Test
    void theDlrmTraceBesideOpenbNeverBreaksAPerNodeCap() throws IOException {
        Path dlrm = SharedTraces.dlrmOrSkip();
        Path openb = SharedTraces.openbOrSkip();
        TraceReadResult<DlrmInstance> instances = new DlrmTraceReader(false).read(dlrm);
        assertThat(instances.items()).hasSize(23_871);
        assertThat(instances.items().stream().filter(DlrmInstance::existsFromStart).count()).isEqualTo(7_280);
        Workload training = Workload.openb(openb.resolve("openb_node_list_all_node.csv"), openb.resolve("openb_pod_list_default.csv"), false);
        MixedReplay.Result result = new MixedReplay(SchedulerConfig.defaults().withPolicies("bestfit", "spread")).run(training, instances.items());
        assertThat(result.agentError()).isEmpty();
        assertThat(result.capViolations()).isZero();
        assertThat(result.instancesPlaced()).isGreaterThan(5_000);
        assertThat(result.trainingPlaced()).isGreaterThan(1_000);
        assertThat(result.replicasPerNodePerService()).isNotEmpty();
    }
}
