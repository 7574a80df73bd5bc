package io.gantry.plugin.act;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.gantry.core.outbox.Outbox;
import io.gantry.plugin.feed.PodRef;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.translate.PodGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Tells users what happened, on the objects they look at.
 *
 * <ul>
 *   <li>Events {@code Scheduled} and {@code FailedScheduling}, deduplicated per pod (the same message is
 *       written once) and rate-limited (beyond the limit they are dropped and counted, never queued).</li>
 *   <li>Condition {@code PodScheduled=False} with reason {@code Unschedulable} and the core's explanation,
 *       which cluster autoscalers read; {@code SchedulerError} for pods Gantry cannot translate.</li>
 *   <li>{@code DisruptionTarget} condition and a {@code Preempted} event on preemption victims.</li>
 *   <li>PodGroup status: phase, scheduled and running counts.</li>
 * </ul>
 * Writes are coalesced per object, so a burst of status changes costs one write per object.
 */
public final class StatusReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);

    private final KubernetesClient client;
    private final JsonPoster poster;
    private final String component;
    private final String identity;
    private final SchedulerMetrics metrics;
    private final WriteLimiter eventLimiter;
    private final WriteLimiter writes;
    private final CoalescingWorkers workers = new CoalescingWorkers("gantry-status", 4);
    private final Map<String, String> lastReported = new ConcurrentHashMap<>();
    private final AtomicLong eventSeq = new AtomicLong();
    private volatile ToIntFunction<String> runningMembers = key -> 0;
    /** The agent's last report per gang, kept from when it is submitted until a write of the gang starts. */
    private final Map<String, GangReport> unwrittenReports = new ConcurrentHashMap<>();

    private record GangReport(Outbox.GangPhase phase, int placed, int minMember, String message) {
    }

    public StatusReporter(KubernetesClient client, String component, String identity, SchedulerMetrics metrics,
                          WriteLimiter eventLimiter, WriteLimiter writes) {
        this.client = client;
        this.poster = new JsonPoster(client);
        this.component = component;
        this.identity = identity;
        this.metrics = metrics;
        this.eventLimiter = eventLimiter;
        this.writes = writes;
    }

    /** How many members of a gang ({@code namespace/name}) run now, for PodGroup status. */
    public void runningMembers(ToIntFunction<String> counter) {
        this.runningMembers = counter;
    }

    public void scheduled(PodRef pod, String node) {
        lastReported.remove(pod.uid());
        String message = "Successfully assigned " + pod.key() + " to " + node;
        workers.submit("event/" + pod.uid() + "/scheduled", () -> event(podRef(pod), "Normal", "Scheduled", message));
    }

    /** The core cannot place the pod now: condition and event, once per distinct message. */
    public void unschedulable(PodRef pod, String message) {
        report(pod, "Unschedulable", message);
    }

    /** The pod cannot be translated: it stays pending with the field and value named. */
    public void invalid(PodRef pod, String message) {
        report(pod, "SchedulerError", message);
    }

    private void report(PodRef pod, String reason, String message) {
        String summary = reason + "|" + message;
        if (summary.equals(lastReported.put(pod.uid(), summary))) {
            return;
        }
        workers.submit("event/" + pod.uid() + "/failed", () -> event(podRef(pod), "Warning", "FailedScheduling", message));
        workers.submit("condition/" + pod.uid(), () -> podCondition(pod, "PodScheduled", "False", reason, message));
    }

    /** A Kubernetes object (node, PodGroup, or a bound pod) Gantry cannot translate. */
    public void invalidObject(HasMetadata object, String message) {
        String uid = object.getMetadata().getUid() == null ? object.getKind() + "/" + object.getMetadata().getName() : object.getMetadata().getUid();
        if (message.equals(lastReported.put(uid, message))) {
            return;
        }
        ObjectReference ref = new ObjectReferenceBuilder().withApiVersion(object.getApiVersion()).withKind(object.getKind())
                .withNamespace(object.getMetadata().getNamespace()).withName(object.getMetadata().getName())
                .withUid(object.getMetadata().getUid()).build();
        workers.submit("event/" + uid + "/invalid", () -> event(ref, "Warning", "FailedScheduling", message));
    }

    /** Before the eviction: condition {@code DisruptionTarget}, as kube-scheduler marks its victims. */
    public void preempting(PodRef victim, String preemptor) {
        podCondition(victim, "DisruptionTarget", "True", "PreemptionByScheduler", component + ": preempting to accommodate " + preemptor);
    }

    public void preempted(PodRef victim, String preemptor, String reason) {
        workers.submit("event/" + victim.uid() + "/preempted",
                () -> event(podRef(victim), "Normal", "Preempted", "Preempted by " + preemptor + ": " + reason));
    }

    /** A pod left Gantry's hands (bound elsewhere, finished, deleted): forget what was said about it. */
    public void forget(String uid) {
        lastReported.remove(uid);
    }

    public void gangStatus(String gangKey, Outbox.GangPhase phase, int placed, int minMember, String message) {
        unwrittenReports.put(gangKey, new GangReport(phase, placed, minMember, message));
        workers.submit(podGroupKey(gangKey), () -> writePodGroup(gangKey, minMember));
    }

    /**
     * Writes the running count again (a member started or stopped). The phase becomes {@code Running}
     * once {@code minMember} members run (as the coscheduling plugin reports it); otherwise the last
     * phase is kept, so a finished member does not undo what was planned.
     */
    public void refreshRunning(String gangKey, int minMember) {
        workers.submit(podGroupKey(gangKey), () -> writePodGroup(gangKey, minMember));
    }

    /**
     * One write per PodGroup at a time (one coalescing key, so its writes never race): the agent's latest
     * report not yet written, with the running count of the moment, or the running count alone.
     */
    private void writePodGroup(String gangKey, int minMember) {
        GangReport report = unwrittenReports.remove(gangKey);
        if (report != null) {
            podGroupStatus(gangKey, report.phase(), report.placed(), report.minMember(), report.message());
        } else {
            podGroupStatus(gangKey, null, -1, minMember, null);
        }
    }

    private static String podGroupKey(String gangKey) {
        return "podgroup/" + gangKey;
    }

    public int backlog() {
        return workers.backlog();
    }

    private void podGroupStatus(String gangKey, Outbox.GangPhase phase, int placed, int minMember, String message) {
        int slash = gangKey.indexOf('/');
        String namespace = gangKey.substring(0, slash);
        String name = gangKey.substring(slash + 1);
        int running = runningMembers.applyAsInt(gangKey);
        Map<String, Object> status = new LinkedHashMap<>();
        if (phase != null) {
            String text = switch (phase) {
                case PENDING -> "Pending";
                case SCHEDULED -> running >= minMember ? "Running" : "Scheduled";
                case TIMED_OUT -> "Pending";
            };
            status.put("phase", text);
            status.put("scheduled", placed);
            status.put("message", phase == Outbox.GangPhase.TIMED_OUT ? "timed out: " + message : message);
        } else if (minMember > 0 && running >= minMember) {
            status.put("phase", "Running");
        }
        status.put("running", running);
        String patch = client.getKubernetesSerialization().asJson(Map.of("status", status));
        writes.acquire();
        try {
            client.resources(PodGroup.class).inNamespace(namespace).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warn("PodGroup {}: status not written: {}", gangKey, e.getMessage());
            }
        }
    }

    /**
     * Sets one pod condition, keeping the others: read, change, and write back as a JSON patch (fabric8
     * computes it), which every API server accepts; the condition's transition time moves only when its
     * status does.
     */
    private void podCondition(PodRef pod, String type, String status, String reason, String message) {
        for (int attempt = 1; ; attempt++) {
            writes.acquire();
            try {
                writeCondition(pod, type, status, reason, message);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < 5) {
                    continue; // changed under us (bound, another condition): read it again
                }
                if (e.getCode() != 404) {
                    LOG.warn("pod {}: condition {} not written: {}", pod.key(), type, e.getMessage());
                }
                return;
            }
        }
    }

    private void writeCondition(PodRef pod, String type, String status, String reason, String message) {
        {
            client.pods().inNamespace(pod.namespace()).withName(pod.name()).editStatus(current -> {
                if (!pod.uid().equals(current.getMetadata().getUid())) {
                    return current;
                }
                PodStatus podStatus = current.getStatus() == null ? new PodStatus() : current.getStatus();
                List<PodCondition> conditions = podStatus.getConditions() == null ? new ArrayList<>() : new ArrayList<>(podStatus.getConditions());
                String since = Instant.now().toString();
                for (int i = 0; i < conditions.size(); i++) {
                    PodCondition c = conditions.get(i);
                    if (type.equals(c.getType())) {
                        if (status.equals(c.getStatus())) {
                            since = c.getLastTransitionTime();
                        }
                        conditions.remove(i);
                        break;
                    }
                }
                conditions.add(new PodConditionBuilder().withType(type).withStatus(status).withReason(reason)
                        .withMessage(truncate(message)).withLastTransitionTime(since).build());
                podStatus.setConditions(conditions);
                current.setStatus(podStatus);
                return current;
            });
        }
    }

    private void event(ObjectReference involved, String type, String reason, String message) {
        if (!eventLimiter.tryAcquire()) {
            metrics.eventDropped();
            return;
        }
        String namespace = involved.getNamespace() == null ? "default" : involved.getNamespace();
        String name = involved.getName() + "." + Long.toHexString(System.currentTimeMillis()) + Long.toHexString(eventSeq.incrementAndGet());
        try {
            HttpResponse<String> answer = poster.post("/api/v1/namespaces/" + JsonPoster.segment(namespace) + "/events",
                    eventJson(namespace, name, involved, type, reason, truncate(message), component, identity, Instant.now().toString()));
            if (answer.code() >= 300) {
                LOG.warn("event {} on {}/{} not written: HTTP {}: {}", reason, involved.getNamespace(), involved.getName(), answer.code(),
                        answer.body() == null || answer.body().length() <= 300 ? answer.body() : answer.body().substring(0, 300) + "...");
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("event {} on {}/{} not written: {}", reason, involved.getNamespace(), involved.getName(),
                    e.getCause() == null ? e.toString() : e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A core/v1 Event, written directly (it is written once per scheduled pod). */
    static String eventJson(String namespace, String name, ObjectReference involved, String type, String reason, String message,
                            String component, String identity, String now) {
        StringBuilder out = new StringBuilder(512).append("{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":");
        JsonPoster.quote(out, name);
        JsonPoster.field(out, "namespace", namespace);
        out.append("},\"involvedObject\":{\"kind\":");
        JsonPoster.quote(out, involved.getKind() == null ? "" : involved.getKind());
        JsonPoster.field(out, "apiVersion", involved.getApiVersion());
        JsonPoster.field(out, "namespace", involved.getNamespace());
        JsonPoster.field(out, "name", involved.getName());
        JsonPoster.field(out, "uid", involved.getUid());
        out.append("},\"type\":");
        JsonPoster.quote(out, type);
        JsonPoster.field(out, "reason", reason);
        JsonPoster.field(out, "message", message);
        out.append(",\"source\":{\"component\":");
        JsonPoster.quote(out, component).append('}');
        JsonPoster.field(out, "reportingComponent", component);
        JsonPoster.field(out, "reportingInstance", identity);
        JsonPoster.field(out, "firstTimestamp", now);
        JsonPoster.field(out, "lastTimestamp", now);
        return out.append(",\"count\":1}").toString();
    }

    private static ObjectReference podRef(PodRef pod) {
        return new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod").withNamespace(pod.namespace())
                .withName(pod.name()).withUid(pod.uid()).build();
    }

    /** Event messages are capped by the API server at 1 KiB. */
    private static String truncate(String message) {
        return message.length() <= 1024 ? message : message.substring(0, 1021) + "...";
    }

    @Override
    public void close() {
        workers.close();
    }
}
