package io.gantry.plugin.act;

import io.gantry.core.model.PodSpec;
import io.gantry.core.outbox.Outbox;
import io.gantry.plugin.feed.PodDirectory;
import io.gantry.plugin.feed.PodRef;
import io.gantry.plugin.metrics.SchedulerMetrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The agent's outbox in the Kubernetes process: every call hands work to the binder, evictor or status
 * reporter and returns at once, as the agent thread must never wait on the API.
 */
public final class KubernetesOutbox implements Outbox {
    private final PodDirectory directory;
    private final Binder binder;
    private final Evictor evictor;
    private final StatusReporter reporter;
    private final SchedulerMetrics metrics;
    private final Function<String, Instant> gangCreated;
    private final Map<String, Boolean> gangScheduled = new ConcurrentHashMap<>();

    public KubernetesOutbox(PodDirectory directory, Binder binder, Evictor evictor, StatusReporter reporter,
                            SchedulerMetrics metrics, Function<String, Instant> gangCreated) {
        this.directory = directory;
        this.binder = binder;
        this.evictor = evictor;
        this.reporter = reporter;
        this.metrics = metrics;
        this.gangCreated = gangCreated;
    }

    @Override
    public void bind(PodSpec pod, String nodeName, int gpuMask) {
        binder.bind(pod.id(), pod.name(), nodeName, gpuMask);
    }

    @Override
    public void cancelBind(PodSpec pod) {
        binder.cancel(pod.id());
    }

    @Override
    public void evict(PodSpec pod, String preemptor, String reason) {
        PodRef ref = directory.byId(pod.id());
        if (ref == null) {
            return; // deleted already; its removal is on its way to the agent
        }
        evictor.evict(ref, preemptor, reason);
    }

    @Override
    public void unschedulable(PodSpec pod, String message) {
        PodRef ref = directory.byId(pod.id());
        if (ref == null) {
            return;
        }
        metrics.unschedulable();
        metrics.pendingReason(ref.uid(), SchedulerMetrics.PendingReason.UNSCHEDULABLE);
        reporter.unschedulable(ref, message);
    }

    @Override
    public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
        if (phase == GangPhase.SCHEDULED) {
            if (gangScheduled.putIfAbsent(gangKey, Boolean.TRUE) == null) {
                Instant created = gangCreated.apply(gangKey);
                if (created != null) {
                    metrics.gangScheduled(Math.max(0, Duration.between(created, Instant.now()).toNanos() / 1e9));
                }
            }
        } else {
            gangScheduled.remove(gangKey);
        }
        reporter.gangStatus(gangKey, phase, placedMembers, minMember, message);
    }
}
