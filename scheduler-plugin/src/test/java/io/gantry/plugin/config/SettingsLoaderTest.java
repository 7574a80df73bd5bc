package io.gantry.plugin.config;

import io.gantry.core.agent.NodePools;
import io.gantry.core.queue.QueueSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsLoaderTest {

    @Test
    void emptyFileMeansEveryDefault() {
        SchedulerSettings s = SettingsLoader.parse("");
        assertThat(s.schedulerName()).isEqualTo("gantry");
        assertThat(s.policies().training()).isEqualTo("bestfit");
        assertThat(s.policies().inference()).isEqualTo("spread");
        assertThat(s.leaderElection().enabled()).isTrue();
        assertThat(s.leaderElection().leaseDurationSeconds()).isEqualTo(15.0);
        assertThat(s.metrics().port()).isEqualTo(10259);
        assertThat(s.client().maxConcurrentRequests()).isGreaterThan(64);
    }

    @Test
    void queuesBecomeQuotasInMilliGpu() {
        SchedulerSettings s = SettingsLoader.parse("""
                queues:
                  - {name: research, guaranteedGpus: 16, limitGpus: 32.5, weight: 2}
                  - {name: prod, guaranteedGpus: 64}
                gang: {reservationDelaySeconds: 60}
                """);
        assertThat(s.queueSpecs()).containsExactly(new QueueSpec("research", 16_000, 32_500, 0, 2.0),
                new QueueSpec("prod", 64_000, QueueSpec.NO_LIMIT, 0, 1.0));
        assertThat(s.coreConfig().reservationDelayNanos()).isEqualTo(60_000_000_000L);
    }

    @Test
    void poolsSteerWorkloadClassesByANodeLabel() {
        SchedulerSettings s = SettingsLoader.parse("pools: {label: gantry.io/pool, training: train, inference: serve}");
        assertThat(s.coreConfig().pools()).isEqualTo(new NodePools("gantry.io/pool", "train", "serve"));
        assertThat(SettingsLoader.parse("").coreConfig().pools()).isEqualTo(NodePools.NONE);
        assertThatThrownBy(() -> SettingsLoader.parse("pools: {inference: serve}"))
                .hasMessageStartingWith("pools.label: must name the node label");
        assertThatThrownBy(() -> SettingsLoader.parse("pools: {label: gantry.io/pool}"))
                .hasMessageStartingWith("pools.training: or pools.inference must name a pool");
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> SettingsLoader.parse("policies: {training: fastest}"))
                .hasMessage("policies.training: must be one of random, dotprod, gpuclustering, gpupacking, bestfit, fgd, spread, got \"fastest\"");
        assertThatThrownBy(() -> SettingsLoader.parse("queues: [{name: a, guaranteedGpus: 8, limitGpus: 4}]"))
                .hasMessage("queues[0].limitGpus: must be at least guaranteedGpus (8.0), got 4.0");
        assertThatThrownBy(() -> SettingsLoader.parse("queues: [{name: a}, {name: a}]"))
                .hasMessage("queues[1].name: repeats queue \"a\"");
        assertThatThrownBy(() -> SettingsLoader.parse("leaderElection: {leaseDurationSeconds: 5}"))
                .hasMessage("leaderElection.leaseDurationSeconds: must be longer than renewDeadlineSeconds (10.0), got 5.0");
        assertThatThrownBy(() -> SettingsLoader.parse("metrics: {prot: 9000}"))
                .hasMessageStartingWith("metrics.prot: unknown key; known keys here: port");
        assertThatThrownBy(() -> SettingsLoader.parse("binder: {threads: many}"))
                .hasMessageStartingWith("binder.threads: ");
        assertThatThrownBy(() -> SettingsLoader.parse("schedulerName: a: b"))
                .hasMessageStartingWith("not valid YAML: ");
    }
}
