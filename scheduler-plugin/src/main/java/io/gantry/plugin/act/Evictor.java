package io.gantry.plugin.act;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.plugin.feed.EventSink;
import io.gantry.plugin.feed.PodRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preemption through the Eviction API, so PodDisruptionBudgets are respected. The victim is first marked
 * with the {@code DisruptionTarget} condition (as kube-scheduler does), then evicted with its UID as a
 * precondition. A 429 (a budget says no) goes back to the agent as {@code EvictionRefused}, which picks
 * other victims; a 404 means it is already gone, and its removal reaches the agent through the informer.
 */
public final class Evictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Evictor.class);
    private static final int ATTEMPTS = 3;

    private final KubernetesClient client;
    private final EventSink results;
    private final StatusReporter reporter;
    private final WriteLimiter writes;
    private final CoalescingWorkers workers = new CoalescingWorkers("gantry-evictor", 2);

    public Evictor(KubernetesClient client, EventSink results, StatusReporter reporter, WriteLimiter writes) {
        this.client = client;
        this.results = results;
        this.reporter = reporter;
        this.writes = writes;
    }

    /** Queues the eviction; never blocks. */
    public void evict(PodRef victim, String preemptor, String reason) {
        workers.submit(victim.uid(), () -> run(victim, preemptor, reason));
    }

    private void run(PodRef victim, String preemptor, String reason) {
        reporter.preempting(victim, preemptor);
        Eviction eviction = new EvictionBuilder()
                .withNewMetadata().withNamespace(victim.namespace()).withName(victim.name()).endMetadata()
                .withDeleteOptions(new DeleteOptionsBuilder().withNewPreconditions().withUid(victim.uid()).endPreconditions().build())
                .build();
        String last = "";
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (!writes.acquire()) {
                return;
            }
            try {
                boolean evicted = client.pods().inNamespace(victim.namespace()).withName(victim.name()).evict(eviction);
                if (evicted) {
                    reporter.preempted(victim, preemptor, reason);
                } else {
                    LOG.info("pod {}: eviction refused (429, a PodDisruptionBudget); preemptor {} looks elsewhere", victim.key(), preemptor);
                    results.send(new SchedulerEvent.EvictionRefused(victim.id(), "429: disruption budget"));
                }
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404 || e.getCode() == 409) {
                    return; // gone already, or recreated: the informer tells the agent
                }
                last = e.getCode() + ": " + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause() + ")");
                LOG.warn("pod {}: eviction attempt {} failed: {}", victim.key(), attempt, last);
                try {
                    Thread.sleep(100L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        results.send(new SchedulerEvent.EvictionRefused(victim.id(), "eviction failed: " + last));
    }

    @Override
    public void close() {
        workers.close();
    }
}
