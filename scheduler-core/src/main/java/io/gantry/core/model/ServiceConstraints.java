package io.gantry.core.model;

import java.util.List;

/**
 * Placement constraints among the replicas of one service: the pods that share a {@code service} key
 * (the Kubernetes app label or owning ReplicaSet / StatefulSet / LeaderWorkerSet). Only replicas of the
 * same service count against each other; pods of other services and pods without one never do.
 *
 * <p>Kubernetes maps here as: required pod anti-affinity on {@code kubernetes.io/hostname} against the
 * pod's own app is {@code maxPerNode = 1}; each {@code topologySpreadConstraint} whose selector matches
 * the app is one {@link SpreadConstraint}; the owner reference names the service.
 *
 * @param service     the service key; "" for none (then the pod has no service constraints)
 * @param maxPerNode  most replicas of the service on one node, or {@link #NO_CAP}
 * @param spread      spread constraints, at most one per {@link SpreadLevel}
 */
public record ServiceConstraints(String service, int maxPerNode, List<SpreadConstraint> spread) {
    public static final int NO_CAP = 0;
    public static final ServiceConstraints NONE = new ServiceConstraints("", NO_CAP, List.of());

    public ServiceConstraints {
        service = service == null ? "" : service;
        spread = spread == null ? List.of() : List.copyOf(spread);
        if (maxPerNode < 0) {
            throw new IllegalArgumentException("service " + service + ": maxPerNode must be 0 (no cap) or more, got " + maxPerNode);
        }
        if (service.isEmpty() && (maxPerNode != NO_CAP || !spread.isEmpty())) {
            throw new IllegalArgumentException("service constraints need a service key: maxPerNode " + maxPerNode
                    + " and " + spread.size() + " spread constraint(s) were given without one");
        }
        boolean[] seen = new boolean[SpreadLevel.values().length];
        for (SpreadConstraint c : spread) {
            if (c == null) {
                throw new IllegalArgumentException("service " + service + ": spread constraint must not be null");
            }
            if (seen[c.level().ordinal()]) {
                throw new IllegalArgumentException("service " + service + ": more than one spread constraint on " + c.level());
            }
            seen[c.level().ordinal()] = true;
        }
    }

    /** Replicas of {@code service} with at most {@code maxPerNode} per node (anti-affinity on hostname is 1). */
    public static ServiceConstraints capped(String service, int maxPerNode) {
        return new ServiceConstraints(service, maxPerNode, List.of());
    }

    public ServiceConstraints withSpread(SpreadConstraint constraint) {
        List<SpreadConstraint> more = new java.util.ArrayList<>(spread);
        more.add(constraint);
        return new ServiceConstraints(service, maxPerNode, more);
    }

    /** Whether the pod belongs to a service (it is counted even without constraints of its own). */
    public boolean hasService() {
        return !service.isEmpty();
    }

    /** Whether anything here can rule out a node. */
    public boolean constrains() {
        return maxPerNode != NO_CAP || !spread.isEmpty();
    }
}
