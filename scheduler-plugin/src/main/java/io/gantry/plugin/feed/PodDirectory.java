package io.gantry.plugin.feed;

import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.plugin.translate.KubeNames;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kubernetes pod UIDs to the core's long ids and back. Ids are never reused, and a pod keeps its id
 * across leader terms of this process. Read from binder and reporter threads, written by the feed.
 */
public final class PodDirectory {
    private final AtomicLong nextId = new AtomicLong(1);
    private final Map<String, PodRef> byUid = new ConcurrentHashMap<>();
    private final Map<Long, PodRef> byId = new ConcurrentHashMap<>();

    /** The pod's ref, made on first sight. */
    public PodRef refOf(Pod pod) {
        String uid = pod.getMetadata().getUid();
        PodRef ref = byUid.get(uid);
        if (ref != null) {
            return ref;
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        String queue = labels == null ? "default"
                : labels.getOrDefault(KubeNames.QUEUE_LABEL, labels.getOrDefault(KubeNames.KUEUE_QUEUE_LABEL, "default"));
        ref = new PodRef(nextId.getAndIncrement(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(), uid,
                parseTime(pod.getMetadata().getCreationTimestamp()), queue);
        byUid.put(uid, ref);
        byId.put(ref.id(), ref);
        return ref;
    }

    public PodRef byId(long id) {
        return byId.get(id);
    }

    public PodRef byUid(String uid) {
        return byUid.get(uid);
    }

    /** Forgets a deleted pod. Binds and reports still in flight for it find nothing and stop. */
    public void forget(String uid) {
        PodRef ref = byUid.remove(uid);
        if (ref != null) {
            byId.remove(ref.id());
        }
    }

    public int size() {
        return byUid.size();
    }

    static Instant parseTime(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
