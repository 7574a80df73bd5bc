package io.gantry.plugin.act;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.plugin.feed.ClusterFeed;
import io.gantry.plugin.feed.EventSink;
import io.gantry.plugin.feed.PodDirectory;
import io.gantry.plugin.feed.PodRef;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.translate.KubeNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries out binds through the {@code pods/binding} subresource from a small pool of threads, and sends
 * each result back into the agent's intake.
 *
 * <ul>
 *   <li>The Binding names the pod's UID (the API server refuses it for a recreated pod of the same
 *       name) and carries the {@code gantry.io/gpu-indexes} annotation, which the API server copies onto
 *       the pod in the same write.</li>
 *   <li>409 Conflict is reconciled, never retried: the pod is read back; bound to our node (an earlier
 *       attempt that timed out went through) is a success, bound elsewhere is a failure, and the
 *       informer reports where it is.</li>
 *   <li>404 means the pod is gone: a failure, not retried. Other 4xx fail at once.</li>
 *   <li>5xx and timeouts are retried with exponential backoff until {@code retryFor} has passed.</li>
 *   <li>One bind per pod at a time; a withdrawn bind that has not started is never sent.</li>
 * </ul>
 */
public final class Binder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Binder.class);
    private static final long FIRST_BACKOFF_MILLIS = 50;
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final KubernetesClient client;
    private final JsonPoster poster;
    private final PodDirectory directory;
    private final EventSink results;
    private final StatusReporter reporter;
    private final SchedulerMetrics metrics;
    private final WriteLimiter writes;
    private final Duration retryFor;
    private final ExecutorService pool;
    private final Map<Long, BindTask> inFlight = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Binder(KubernetesClient client, PodDirectory directory, EventSink results, StatusReporter reporter,
                  SchedulerMetrics metrics, WriteLimiter writes, int threads, Duration retryFor) {
        this.client = client;
        this.poster = new JsonPoster(client);
        this.directory = directory;
        this.results = results;
        this.reporter = reporter;
        this.metrics = metrics;
        this.writes = writes;
        this.retryFor = retryFor;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gantry-binder-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues a bind; never blocks. */
    public void bind(long podId, String podName, String node, int gpuMask) {
        BindTask task = new BindTask(podId, podName, node, gpuMask);
        if (inFlight.putIfAbsent(podId, task) != null) {
            LOG.error("pod {}: a second bind to {} while one is in flight; not sent", podName, node);
            return;
        }
        pool.execute(task);
    }

    /** Withdraws a bind not started yet; one already sent runs to its end. */
    public void cancel(long podId) {
        BindTask task = inFlight.get(podId);
        if (task != null) {
            task.cancelled = true;
        }
    }

    public int inFlight() {
        return inFlight.size();
    }

    private final class BindTask implements Runnable {
        final long podId;
        final String podName;
        final String node;
        final int gpuMask;
        volatile boolean cancelled;
        private boolean sent;

        BindTask(long podId, String podName, String node, int gpuMask) {
            this.podId = podId;
            this.podName = podName;
            this.node = node;
            this.gpuMask = gpuMask;
        }

        @Override
        public void run() {
            try {
                SchedulerEvent result = attempt();
                if (!closed) {
                    results.send(result);
                }
            } catch (RuntimeException e) {
                LOG.error("pod {}: bind to {} crashed", podName, node, e);
                if (!closed) {
                    results.send(new SchedulerEvent.BindFailed(podId, "binder error: " + e));
                }
            } finally {
                inFlight.remove(podId, this);
            }
        }

        private SchedulerEvent attempt() {
            PodRef ref = directory.byId(podId);
            if (ref == null) {
                return new SchedulerEvent.BindFailed(podId, "pod is gone");
            }
            long deadline = System.nanoTime() + retryFor.toNanos();
            long backoff = FIRST_BACKOFF_MILLIS;
            String lastError = "";
            for (int attempt = 1; ; attempt++) {
                if (cancelled && !sent) {
                    return new SchedulerEvent.BindFailed(podId, "withdrawn");
                }
                if (closed || !writes.acquire()) {
                    return new SchedulerEvent.BindFailed(podId, "binder stopped");
                }
                sent = true;
                int code;
                String body;
                try {
                    HttpResponse<String> response = post(ref);
                    code = response.code();
                    body = response.body();
                } catch (TimeoutException | ExecutionException e) {
                    code = 0;
                    body = e.getCause() == null ? e.toString() : e.getCause().toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new SchedulerEvent.BindFailed(podId, "binder stopped");
                }
                if (code >= 200 && code < 300) {
                    succeeded(ref);
                    return new SchedulerEvent.BindSucceeded(podId);
                }
                metrics.bindError(code);
                if (code == 409) {
                    return reconcile(ref, body);
                }
                if (code == 404) {
                    return new SchedulerEvent.BindFailed(podId, "pod is gone (404)");
                }
                lastError = (code == 0 ? "no answer: " : "HTTP " + code + ": ") + shorten(body);
                if (code != 0 && code != 429 && code < 500) {
                    return failed(lastError);
                }
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff) - deadline > 0) {
                    return failed("gave up after " + attempt + " attempts, last: " + lastError);
                }
                LOG.info("pod {}: bind to {} failed ({}); retrying in {} ms", podName, node, lastError, backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new SchedulerEvent.BindFailed(podId, "binder stopped");
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }

        private void succeeded(PodRef ref) {
            metrics.scheduled();
            if (ref.created() != null) {
                metrics.bound(Math.max(0, Duration.between(ref.created(), Instant.now()).toNanos() / 1e9));
            }
            metrics.notPending(ref.uid());
            reporter.scheduled(ref, node);
        }

        private SchedulerEvent failed(String reason) {
            metrics.bindFailed();
            return new SchedulerEvent.BindFailed(podId, reason);
        }

        /** 409: read the pod back to learn whether some attempt of ours went through. */
        private SchedulerEvent reconcile(PodRef ref, String conflict) {
            Pod now;
            try {
                now = client.pods().inNamespace(ref.namespace()).withName(ref.name()).get();
            } catch (KubernetesClientException e) {
                return failed("409 Conflict, and reading the pod back failed: " + e.getMessage());
            }
            if (now == null || !ref.uid().equals(now.getMetadata().getUid())) {
                return new SchedulerEvent.BindFailed(podId, "pod is gone (409, recreated or deleted)");
            }
            String boundTo = now.getSpec().getNodeName();
            if (node.equals(boundTo)) {
                succeeded(ref);
                return new SchedulerEvent.BindSucceeded(podId);
            }
            if (boundTo != null && !boundTo.isEmpty()) {
                return failed("already bound to node " + boundTo + " by someone else");
            }
            return failed("409 Conflict: " + shorten(conflict));
        }

        private HttpResponse<String> post(PodRef ref) throws InterruptedException, ExecutionException, TimeoutException {
            return poster.post("/api/v1/namespaces/" + JsonPoster.segment(ref.namespace()) + "/pods/" + JsonPoster.segment(ref.name())
                    + "/binding", bindingJson(ref.namespace(), ref.name(), ref.uid(), node, gpuMask));
        }
    }

    /**
     * The Binding, written directly: metadata with the pod's UID (the API server refuses it for a
     * recreated pod) and the GPU indexes annotation unless no GPU was chosen; the target node.
     */
    static String bindingJson(String namespace, String name, String uid, String node, int gpuMask) {
        StringBuilder out = new StringBuilder(256).append("{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":");
        JsonPoster.quote(out, name);
        JsonPoster.field(out, "namespace", namespace);
        JsonPoster.field(out, "uid", uid);
        if (gpuMask != 0) {
            out.append(",\"annotations\":{");
            JsonPoster.quote(out, KubeNames.GPU_INDEXES_ANNOTATION).append(':');
            JsonPoster.quote(out, ClusterFeed.gpuIndexes(gpuMask)).append('}');
        }
        out.append("},\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":");
        return JsonPoster.quote(out, node).append("}}").toString();
    }

    private static String shorten(String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    /** Stops at once: queued binds are dropped, running ones are interrupted, no result is sent after this. */
    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
        inFlight.clear();
    }
}
