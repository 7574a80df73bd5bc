package io.gantry.plugin.act;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.gantry.core.outbox.Outbox;
import io.gantry.plugin.kube.InMemoryApiServer;
import io.gantry.plugin.kube.TestCluster;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.translate.PodGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static io.gantry.plugin.kube.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PodGroup status as the reporter writes it: the agent's reports and the running count go through one
 * coalesced write per PodGroup, and a running-count refresh that replaces a report not yet written
 * writes that report.
 */
class PodGroupStatusTest {
    private final InMemoryApiServer server = new InMemoryApiServer();
    private final KubernetesClient client = new KubernetesClientBuilder().withConfig(config(server.url())).build();
    private final StatusReporter reporter = new StatusReporter(client, "gantry", "test", new SchedulerMetrics(),
            new WriteLimiter(1000, 100), new WriteLimiter(1000, 100));

    @AfterEach
    void close() {
        reporter.close();
        client.close();
        server.close();
    }

    private static Config config(String url) {
        Config config = Config.fromKubeconfig(TestCluster.kubeconfigFor(url));
        config.setRequestRetryBackoffLimit(0);
        return config;
    }

    private PodGroup group(String name) {
        PodGroup group = new PodGroup();
        group.getMetadata().setNamespace("ml");
        group.getMetadata().setName(name);
        PodGroup.Spec spec = new PodGroup.Spec();
        spec.setMinMember(2);
        group.setSpec(spec);
        return client.resources(PodGroup.class).resource(group).create();
    }

    private PodGroup.Status status(String name) {
        return client.resources(PodGroup.class).inNamespace("ml").withName(name).get().getStatus();
    }

    private String describe(String name) {
        PodGroup.Status s = status(name);
        return s == null ? "none" : "phase " + s.getPhase() + ", scheduled " + s.getScheduled() + ", running " + s.getRunning();
    }

    @Test
    void aReportFollowedAtOnceByARunningRefreshIsWrittenWithTheRunningCount() {
        AtomicInteger running = new AtomicInteger();
        reporter.runningMembers(key -> running.get());
        for (int i = 0; i < 20; i++) {
            String name = "g" + i;
            group(name);
            // back to back: the refresh may replace the report's write before a worker takes it
            reporter.gangStatus("ml/" + name, Outbox.GangPhase.SCHEDULED, 2, 2, "");
            reporter.refreshRunning("ml/" + name, 2);
        }
        for (int i = 0; i < 20; i++) {
            String name = "g" + i;
            assertThat(eventually(() -> status(name) != null && "Scheduled".equals(status(name).getPhase())
                    && Integer.valueOf(2).equals(status(name).getScheduled())))
                    .as("%s: %s", name, describe(name)).isTrue();
        }

        running.set(2);
        reporter.refreshRunning("ml/g0", 2);
        assertThat(eventually(() -> "Running".equals(status("g0").getPhase()) && Integer.valueOf(2).equals(status("g0").getRunning())))
                .as("g0: %s", describe("g0")).isTrue();
        assertThat(status("g0").getScheduled()).isEqualTo(2);
    }
}
