package io.gantry.core.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queues: their quotas, what each holds, and each one's ready units. Picks the next unit to
 * schedule: the highest priority among the queues' heads; among equal priorities, the queue furthest
 * below its fair share (lowest dominant share of what it deserves); then the earliest arrival.
 *
 * <p>A queue's deserved share is its guarantee when it has one; otherwise its weight's part of the
 * capacity nobody is guaranteed. Dominant share = max(GPU held / GPU deserved, CPU held / CPU deserved),
 * so CPU-only work is weighed by CPU. Queues named by pods but never configured get no guarantee and
 * weight 1. O(queues) per pick; allocates only when a queue is first seen.
 */
public final class QueueBook {
    private final List<QueueSpec> specs = new ArrayList<>();
    private final Map<String, Integer> index = new HashMap<>();
    private final List<UnitHeap> ready = new ArrayList<>();
    private long[] gpuHeld = new long[8];
    private long[] cpuHeld = new long[8];
    /** GPU that waiting preemptors of the queue will take once their victims are gone. */
    private long[] gpuClaimed = new long[8];
    /** GPU the queue's pods being evicted still hold. */
    private long[] gpuLeaving = new long[8];
    private long clusterGpuMilli;
    private long clusterCpuMilli;

    /** Index of queue {@code name}, creating an unconfigured queue when new. */
    public int queueIndex(String name) {
        Integer i = index.get(name);
        if (i != null) {
            return i;
        }
        return add(new QueueSpec(name, 0, QueueSpec.NO_LIMIT, 0, 1.0));
    }

    /** Creates or replaces a queue's spec; returns its index. */
    public int configure(QueueSpec spec) {
        Integer i = index.get(spec.name());
        if (i == null) {
            return add(spec);
        }
        specs.set(i, spec);
        return i;
    }

    private int add(QueueSpec spec) {
        int i = specs.size();
        specs.add(spec);
        index.put(spec.name(), i);
        ready.add(new UnitHeap());
        if (i >= gpuHeld.length) {
            gpuHeld = java.util.Arrays.copyOf(gpuHeld, i * 2);
            cpuHeld = java.util.Arrays.copyOf(cpuHeld, i * 2);
            gpuClaimed = java.util.Arrays.copyOf(gpuClaimed, i * 2);
            gpuLeaving = java.util.Arrays.copyOf(gpuLeaving, i * 2);
        }
        return i;
    }

    public int size() {
        return specs.size();
    }

    public QueueSpec spec(int queue) {
        return specs.get(queue);
    }

    /** The cluster's capacity, for the deserved share of queues without a guarantee. */
    public void setCapacity(long gpuMilli, long cpuMilli) {
        this.clusterGpuMilli = gpuMilli;
        this.clusterCpuMilli = cpuMilli;
    }

    public void addHeld(int queue, long gpuMilli, long cpuMilli) {
        gpuHeld[queue] += gpuMilli;
        cpuHeld[queue] += cpuMilli;
    }

    public long gpuHeld(int queue) {
        return gpuHeld[queue];
    }

    /** Preemption in flight: {@code gpuMilli} claimed by the queue's waiting preemptors (negative to drop the claim). */
    public void addClaimed(int queue, long gpuMilli) {
        gpuClaimed[queue] += gpuMilli;
    }

    /** Preemption in flight: {@code gpuMilli} held by the queue's pods being evicted (negative when they are gone). */
    public void addLeaving(int queue, long gpuMilli) {
        gpuLeaving[queue] += gpuMilli;
    }

    /** What the queue will hold once preemptions in flight complete: held + claimed - leaving. */
    public long gpuCommitted(int queue) {
        return gpuHeld[queue] + gpuClaimed[queue] - gpuLeaving[queue];
    }

    public long cpuHeld(int queue) {
        return cpuHeld[queue];
    }

    /** Whether taking {@code gpuMilli} more would pass the queue's limit. */
    public boolean wouldExceedLimit(int queue, long gpuMilli) {
        QueueSpec spec = specs.get(queue);
        return spec.hasLimit() && gpuHeld[queue] + gpuMilli > spec.limitGpuMilli();
    }

    /** Whether the queue holds more GPU than it is guaranteed (it is borrowing). */
    public boolean isBorrowing(int queue) {
        return gpuCommitted(queue) > specs.get(queue).guaranteedGpuMilli();
    }

    /** Whether a queue other than {@code except} holds more than its guarantee (something could be reclaimed). */
    public boolean anyBorrowingExcept(int except) {
        for (int q = 0; q < specs.size(); q++) {
            if (q != except && isBorrowing(q)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the queue, after taking {@code gpuMilli} more, stays within its guarantee (preemptions in flight counted). */
    public boolean staysWithinGuarantee(int queue, long gpuMilli) {
        return gpuCommitted(queue) + gpuMilli <= specs.get(queue).guaranteedGpuMilli();
    }

    /** Dominant share of what the queue deserves; lower goes first. */
    public double dominantShare(int queue) {
        QueueSpec spec = specs.get(queue);
        double gpuDeserved = spec.guaranteedGpuMilli() > 0 ? spec.guaranteedGpuMilli() : unguaranteedShare(queue, true);
        double cpuDeserved = spec.guaranteedCpuMilli() > 0 ? spec.guaranteedCpuMilli() : unguaranteedShare(queue, false);
        double gpuShare = gpuHeld[queue] == 0 ? 0 : gpuHeld[queue] / Math.max(gpuDeserved, 1);
        double cpuShare = cpuHeld[queue] == 0 ? 0 : cpuHeld[queue] / Math.max(cpuDeserved, 1);
        return Math.max(gpuShare, cpuShare);
    }

    private double unguaranteedShare(int queue, boolean gpu) {
        double totalWeight = 0;
        long guaranteed = 0;
        for (int q = 0; q < specs.size(); q++) {
            QueueSpec s = specs.get(q);
            long g = gpu ? s.guaranteedGpuMilli() : s.guaranteedCpuMilli();
            guaranteed += g;
            if (g == 0) {
                totalWeight += s.weight();
            }
        }
        long free = Math.max(0, (gpu ? clusterGpuMilli : clusterCpuMilli) - guaranteed);
        return totalWeight == 0 ? free : free * specs.get(queue).weight() / totalWeight;
    }

    // ------------------------------------------------------------------ ready units

    public void makeReady(QueuedUnit unit) {
        if (unit.where == QueuedUnit.READY) {
            return;
        }
        if (unit.where == QueuedUnit.PARKED) {
            throw new IllegalStateException("unit " + unit.name() + " is parked; unpark it first");
        }
        ready.get(unit.queue).add(unit);
        unit.where = QueuedUnit.READY;
    }

    public void removeReady(QueuedUnit unit) {
        if (unit.where != QueuedUnit.READY) {
            return;
        }
        ready.get(unit.queue).remove(unit);
        unit.where = QueuedUnit.IDLE;
    }

    /**
     * The next unit to schedule, taken out of its heap; null when nothing is ready. Dominant shares
     * are computed only for heads of equal priority, where they decide (a walk of the queue specs each).
     */
    public QueuedUnit pollNext() {
        int best = -1;
        double bestShare = 0;
        boolean bestShareKnown = false;
        for (int q = 0; q < ready.size(); q++) {
            QueuedUnit head = ready.get(q).peek();
            if (head == null) {
                continue;
            }
            if (best < 0) {
                best = q;
                bestShareKnown = false;
                continue;
            }
            QueuedUnit bestHead = ready.get(best).peek();
            if (head.priority != bestHead.priority) {
                if (head.priority > bestHead.priority) {
                    best = q;
                    bestShareKnown = false;
                }
                continue;
            }
            if (!bestShareKnown) {
                bestShare = dominantShare(best);
                bestShareKnown = true;
            }
            double share = dominantShare(q);
            if (share < bestShare || (share == bestShare && head.arrivalSeq < bestHead.arrivalSeq)) {
                best = q;
                bestShare = share;
            }
        }
        if (best < 0) {
            return null;
        }
        QueuedUnit unit = ready.get(best).poll();
        unit.where = QueuedUnit.IDLE;
        return unit;
    }

    /**
     * Whether {@code a} would be taken before {@code b} were both ready: higher priority first; among
     * equal priorities, of two queues the one further below its fair share; then the earlier arrival.
     */
    public boolean goesBefore(QueuedUnit a, QueuedUnit b) {
        if (a.priority != b.priority) {
            return a.priority > b.priority;
        }
        if (a.queue != b.queue) {
            double shareA = dominantShare(a.queue);
            double shareB = dominantShare(b.queue);
            if (shareA != shareB) {
                return shareA < shareB;
            }
        }
        return a.arrivalSeq < b.arrivalSeq;
    }

    public int readyCount() {
        int n = 0;
        for (UnitHeap heap : ready) {
            n += heap.size();
        }
        return n;
    }
}
