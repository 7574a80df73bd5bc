package io.gantry.core.queue;

/**
 * A unit of scheduling (a pod, or a whole gang) as the queues see it: its order keys and where it
 * waits. Subclassed by the agent's pod and gang records; the fields here belong to {@link QueueBook}.
 */
public abstract class QueuedUnit {
    /** Not waiting anywhere: placed, or not yet submitted. */
    public static final int IDLE = 0;
    /** In its queue's ready heap. */
    public static final int READY = 1;
    /** In the unschedulable set, waiting for an event that could help. */
    public static final int PARKED = 2;

    int where = IDLE;
    /** Whether the unit is in a ready heap; its entry there is live while the generations match. */
    boolean inHeap;
    int heapGeneration;
    QueuedUnit nextParked;
    QueuedUnit prevParked;
    int parkedBucket = -1;
    ParkedUnits parkedIn;

    protected int priority;
    protected int queue;
    protected long arrivalSeq;

    public int priority() {
        return priority;
    }

    /** Index of the unit's queue in its {@link QueueBook}. */
    public int queue() {
        return queue;
    }

    public long arrivalSeq() {
        return arrivalSeq;
    }

    public int where() {
        return where;
    }

    public boolean isReady() {
        return where == READY;
    }

    public boolean isParked() {
        return where == PARKED;
    }

    /** Queue order within one queue: whether {@code a} goes before {@code b} (higher priority, then earlier arrival). */
    public static boolean precedes(QueuedUnit a, QueuedUnit b) {
        return a.priority != b.priority ? a.priority > b.priority : a.arrivalSeq < b.arrivalSeq;
    }

    /** Whether the unit is parked in {@code set}. */
    public boolean isParkedIn(ParkedUnits set) {
        return where == PARKED && parkedIn == set;
    }

    /** GPU milli the unit asks for in total (for quota checks). */
    public abstract long gpuMilliAsked();

    /** CPU milli the unit asks for in total (for dominant resource share). */
    public abstract long cpuMilliAsked();

    /** A name for messages. */
    public abstract String name();
}
