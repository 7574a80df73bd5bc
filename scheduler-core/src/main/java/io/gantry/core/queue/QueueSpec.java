package io.gantry.core.queue;

import io.gantry.core.model.InvalidSpecException;

import java.util.Objects;

/**
 * A queue and its quota, in milli-GPU and milli-CPU.
 *
 * @param name                 queue name (pods name it in {@link io.gantry.core.model.PodSpec#queue()})
 * @param guaranteedGpuMilli   GPU the queue is entitled to; it may reclaim it from borrowers
 * @param limitGpuMilli        most GPU the queue may hold, borrowing included; -1 for no limit
 * @param guaranteedCpuMilli   CPU entitlement, for dominant resource share with CPU-only work; 0 for none
 * @param weight               share of idle capacity relative to other queues, > 0
 */
public record QueueSpec(String name, long guaranteedGpuMilli, long limitGpuMilli, long guaranteedCpuMilli, double weight) {
    public static final long NO_LIMIT = -1;

    public QueueSpec {
        Objects.requireNonNull(name, "queue name");
        if (name.isEmpty()) {
            throw new InvalidSpecException("queue", "<unnamed>", "name", "must not be empty");
        }
        if (guaranteedGpuMilli < 0) {
            throw new InvalidSpecException("queue", name, "guaranteedGpuMilli", "must not be negative, got " + guaranteedGpuMilli);
        }
        if (limitGpuMilli != NO_LIMIT && limitGpuMilli < guaranteedGpuMilli) {
            throw new InvalidSpecException("queue", name, "limitGpuMilli",
                    "must be -1 (none) or at least the guarantee " + guaranteedGpuMilli + ", got " + limitGpuMilli);
        }
        if (guaranteedCpuMilli < 0) {
            throw new InvalidSpecException("queue", name, "guaranteedCpuMilli", "must not be negative, got " + guaranteedCpuMilli);
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new InvalidSpecException("queue", name, "weight", "must be a positive number, got " + weight);
        }
    }

    /** A queue with a GPU guarantee (whole GPUs) and no limit. */
    public static QueueSpec guaranteed(String name, int gpus) {
        return new QueueSpec(name, gpus * 1000L, NO_LIMIT, 0, 1.0);
    }

    public boolean hasLimit() {
        return limitGpuMilli != NO_LIMIT;
    }
}
