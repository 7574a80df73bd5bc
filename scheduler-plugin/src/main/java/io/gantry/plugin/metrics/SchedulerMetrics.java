package io.gantry.plugin.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * What an operator watches: pending pods by queue and reason, schedule attempts by result, end-to-end
 * scheduling latency (pod creation to bind), gang wait time, bind errors, intake queue depth, and
 * whether this replica leads. Thread-safe; called from the agent, binder, reporter and informer threads.
 */
public final class SchedulerMetrics {
    /** Why a pod is pending, as the {@code reason} label says it. */
    public enum PendingReason {
        /** Handed to the scheduler, no decision yet. */
        QUEUED("queued"),
        /** The scheduler found no room (or quota, or gang members) for it. */
        UNSCHEDULABLE("unschedulable"),
        /** Kept back by scheduling gates. */
        GATED("gated"),
        /** Its spec or annotations cannot be translated. */
        INVALID("invalid");

        final String label;

        PendingReason(String label) {
            this.label = label;
        }
    }

    private record Pending(String queue, PendingReason reason) {
    }

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Counter attempts;
    private final Counter bindErrors;
    private final Counter eventsDropped;
    private final Histogram latency;
    private final Histogram gangWait;
    private final Gauge leader;
    private volatile IntSupplier intakeDepth = () -> 0;

    public SchedulerMetrics() {
        attempts = Counter.builder().name("gantry_schedule_attempts")
                .help("Scheduling decisions by result: scheduled (bind sent), unschedulable, error (bind failed for good)")
                .labelNames("result").register(registry);
        bindErrors = Counter.builder().name("gantry_bind_errors")
                .help("Failed bind requests by HTTP status (0 for timeouts and connection errors), retried or not")
                .labelNames("code").register(registry);
        eventsDropped = Counter.builder().name("gantry_events_dropped")
                .help("Kubernetes Events not written because of the event rate limit").register(registry);
        latency = Histogram.builder().name("gantry_scheduling_latency_seconds")
                .help("Pod creation to successful bind")
                .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
                .register(registry);
        gangWait = Histogram.builder().name("gantry_gang_wait_seconds")
                .help("PodGroup creation until minMember members are placed")
                .classicOnly().classicUpperBounds(0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400)
                .register(registry);
        leader = Gauge.builder().name("gantry_leader").help("1 while this replica holds the lease and schedules").register(registry);
        GaugeWithCallback.builder().name("gantry_intake_queue_depth").help("Events waiting in the scheduler's intake queue")
                .callback(cb -> cb.call(intakeDepth.getAsInt())).register(registry);
        GaugeWithCallback.builder().name("gantry_pending_pods").help("Pods waiting to be scheduled by Gantry, by queue and reason")
                .labelNames("queue", "reason").callback(cb -> {
                    Map<Pending, Integer> counts = new HashMap<>();
                    for (Pending p : pending.values()) {
                        counts.merge(p, 1, Integer::sum);
                    }
                    counts.forEach((p, n) -> cb.call(n, p.queue(), p.reason().label));
                }).register(registry);
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void pending(String uid, String queue, PendingReason reason) {
        pending.put(uid, new Pending(queue, reason));
    }

    /** Moves a pod already pending to another reason; a pod not pending (bound meanwhile) stays out. */
    public void pendingReason(String uid, PendingReason reason) {
        pending.computeIfPresent(uid, (k, p) -> new Pending(p.queue(), reason));
    }

    public void notPending(String uid) {
        pending.remove(uid);
    }

    public int pendingCount() {
        return pending.size();
    }

    public void scheduled() {
        attempts.labelValues("scheduled").inc();
    }

    public void unschedulable() {
        attempts.labelValues("unschedulable").inc();
    }

    public void bindFailed() {
        attempts.labelValues("error").inc();
    }

    public void bindError(int httpCode) {
        bindErrors.labelValues(Integer.toString(httpCode)).inc();
    }

    public void eventDropped() {
        eventsDropped.inc();
    }

    public void bound(double secondsSinceCreation) {
        latency.observe(secondsSinceCreation);
    }

    public void gangScheduled(double waitSeconds) {
        gangWait.observe(waitSeconds);
    }

    public void leading(boolean value) {
        leader.set(value ? 1 : 0);
    }

    public void intakeDepth(IntSupplier depth) {
        intakeDepth = depth;
    }

    /** Counts of the latency histogram, for the load command's summary. */
    public long boundCount() {
        return latency.collect().getDataPoints().get(0).getCount();
    }
}
