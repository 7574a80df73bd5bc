package io.gantry.plugin.kube;

import io.gantry.plugin.run.GantryScheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.gantry.plugin.kube.TestCluster.eventually;
import static io.gantry.plugin.kube.TestCluster.stays;
import static org.assertj.core.api.Assertions.assertThat;

/** Two replicas on one Lease: one schedules, the other keeps warm caches and takes over when the leader goes. */
class LeaderElectionIntegrationTest {
    private static final String FAST_LEASE = """
            leaderElection: {enabled: true, namespace: gantry-system, leaseName: gantry-test,
                             leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.2}
            """;
    private final TestCluster cluster = new TestCluster();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void exactlyOneReplicaSchedulesAndTheOtherTakesOverWithinTheLeaseDuration() {
        cluster.node("gpu-1", 8, "A100");
        GantryScheduler a = cluster.scheduler("replica-a", FAST_LEASE);
        GantryScheduler b = cluster.scheduler("replica-b", FAST_LEASE);
        assertThat(eventually(() -> a.leading() || b.leading())).isTrue();
        assertThat(stays(Duration.ofSeconds(1), () -> a.leading() ^ b.leading())).isTrue();
        GantryScheduler leader = a.leading() ? a : b;
        GantryScheduler standby = leader == a ? b : a;
        assertThat(standby.synced()).isTrue();

        cluster.create(cluster.gpuPod("first", 1));
        assertThat(eventually(() -> cluster.nodeOf("first") != null)).isTrue();

        leader.close();
        assertThat(eventually(Duration.ofSeconds(4), standby::leading)).isTrue();
        cluster.create(cluster.gpuPod("second", 1));
        assertThat(eventually(() -> cluster.nodeOf("second") != null)).isTrue();
        assertThat(cluster.api.bindingsByPod().values()).allMatch(n -> n == 1);
        // the new leader counted the first pod's GPU: the second took another one
        assertThat(cluster.pod("second").getMetadata().getAnnotations().get("gantry.io/gpu-indexes"))
                .isNotEqualTo(cluster.pod("first").getMetadata().getAnnotations().get("gantry.io/gpu-indexes"));
    }

    @Test
    void losingTheLeaseStopsSchedulingAtOnce() {
        cluster.node("gpu-1", 8, "A100");
        GantryScheduler only = cluster.scheduler("replica-a", FAST_LEASE);
        assertThat(eventually(only::leading)).isTrue();

        // another holder takes the Lease (as after a network partition healed in its favour)
        java.util.concurrent.atomic.AtomicBoolean intruding = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread intruder = new Thread(() -> {
            while (intruding.get()) {
                try {
                    cluster.client.leases().inNamespace("gantry-system").withName("gantry-test").edit(l -> {
                        l.getSpec().setHolderIdentity("intruder");
                        l.getSpec().setRenewTime(java.time.ZonedDateTime.now());
                        return l;
                    });
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    // the replica renewed in between (409): try again
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        intruder.start();
        try {
            assertThat(eventually(Duration.ofSeconds(6), () -> !only.leading())).isTrue();
            cluster.create(cluster.gpuPod("while-not-leading", 1));
            assertThat(stays(Duration.ofSeconds(1), () -> cluster.nodeOf("while-not-leading") == null)).isTrue();
        } finally {
            intruding.set(false);
        }
        // the intruder stopped renewing: the lease expires and the replica leads and schedules again
        assertThat(eventually(Duration.ofSeconds(6), () -> cluster.nodeOf("while-not-leading") != null)).isTrue();
    }
}
