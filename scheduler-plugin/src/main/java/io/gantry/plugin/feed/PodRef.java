package io.gantry.plugin.feed;

import java.time.Instant;

/**
 * Who a core pod id is in Kubernetes.
 *
 * @param id        the core's id
 * @param namespace pod namespace
 * @param name      pod name
 * @param uid       pod UID, a precondition on writes so a recreated pod of the same name is never touched
 * @param created   creation timestamp (start of the end-to-end scheduling latency), or null
 * @param queue     the queue it was translated into, for metrics
 */
public record PodRef(long id, String namespace, String name, String uid, Instant created, String queue) {
    public String key() {
        return namespace + "/" + name;
    }
}
