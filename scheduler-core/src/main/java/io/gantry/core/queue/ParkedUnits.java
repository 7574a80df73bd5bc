package io.gantry.core.queue;

import java.util.Arrays;

/**
 * Units that cannot be placed now, each filed under the bucket of the event that could help it (the
 * agent decides what a bucket means: a pod shape that waits for capacity, a queue that waits for
 * quota, a gang that waits for members). Intrusive doubly linked lists, in the order units were
 * parked ({@link #park}) or in queue order ({@link #parkInOrder}: priority, then arrival; a bucket is
 * parked one way only): park, unpark and walking a bucket allocate nothing, and a unit is in at most
 * one bucket of one set.
 */
public final class ParkedUnits {
    private QueuedUnit[] head = new QueuedUnit[16];
    private QueuedUnit[] tail = new QueuedUnit[16];
    private int[] count = new int[16];
    private int total;
    private int[] nonEmpty = new int[16];
    private int[] nonEmptyPos = new int[16];
    private int nonEmptyCount;

    /** Parks {@code unit} last in {@code bucket}. */
    public void park(QueuedUnit unit, int bucket) {
        checkIdle(unit);
        ensureBucket(bucket);
        linkAfter(unit, bucket, tail[bucket]);
    }

    /**
     * Parks {@code unit} in {@code bucket} after every unit of higher priority or of equal priority and
     * earlier arrival, so the bucket's first unit is the one the ready queue would take first. The place
     * is searched from both ends at once: O(distance to the nearer end), and units come back near the
     * front (they were woken from there) or arrive at the back.
     */
    public void parkInOrder(QueuedUnit unit, int bucket) {
        checkIdle(unit);
        ensureBucket(bucket);
        QueuedUnit forward = head[bucket];
        QueuedUnit backward = tail[bucket];
        while (true) {
            if (backward == null || !QueuedUnit.precedes(unit, backward)) {
                linkAfter(unit, bucket, backward);
                return;
            }
            if (QueuedUnit.precedes(unit, forward)) {
                linkAfter(unit, bucket, forward.prevParked);
                return;
            }
            forward = forward.nextParked;
            backward = backward.prevParked;
        }
    }

    /** Whether {@code bucket} is in queue order ({@link #parkInOrder}); O(bucket size), for checks. */
    public boolean isInOrder(int bucket) {
        for (QueuedUnit u = first(bucket); u != null && u.nextParked != null; u = u.nextParked) {
            if (QueuedUnit.precedes(u.nextParked, u)) {
                return false;
            }
        }
        return true;
    }

    private static void checkIdle(QueuedUnit unit) {
        if (unit.where != QueuedUnit.IDLE) {
            throw new IllegalStateException("unit " + unit.name() + " must be idle to park, is " + unit.where);
        }
    }

    /** Links {@code unit} into {@code bucket} right after {@code before} (first when null). */
    private void linkAfter(QueuedUnit unit, int bucket, QueuedUnit before) {
        QueuedUnit after = before == null ? head[bucket] : before.nextParked;
        unit.prevParked = before;
        unit.nextParked = after;
        if (before == null) {
            head[bucket] = unit;
        } else {
            before.nextParked = unit;
        }
        if (after == null) {
            tail[bucket] = unit;
        } else {
            after.prevParked = unit;
        }
        unit.parkedBucket = bucket;
        unit.parkedIn = this;
        unit.where = QueuedUnit.PARKED;
        if (count[bucket]++ == 0) {
            nonEmptyPos[bucket] = nonEmptyCount;
            nonEmpty[nonEmptyCount++] = bucket;
        }
        total++;
    }

    /** Takes {@code unit} out (it becomes idle); a no-op when it is not parked here. */
    public void unpark(QueuedUnit unit) {
        if (unit.where != QueuedUnit.PARKED || unit.parkedIn != this) {
            return;
        }
        int bucket = unit.parkedBucket;
        if (unit.prevParked == null) {
            head[bucket] = unit.nextParked;
        } else {
            unit.prevParked.nextParked = unit.nextParked;
        }
        if (unit.nextParked == null) {
            tail[bucket] = unit.prevParked;
        } else {
            unit.nextParked.prevParked = unit.prevParked;
        }
        unit.nextParked = null;
        unit.prevParked = null;
        unit.parkedBucket = -1;
        unit.parkedIn = null;
        unit.where = QueuedUnit.IDLE;
        if (--count[bucket] == 0) {
            int pos = nonEmptyPos[bucket];
            int last = nonEmpty[--nonEmptyCount];
            nonEmpty[pos] = last;
            nonEmptyPos[last] = pos;
        }
        total--;
    }

    /** First unit of {@code bucket}, or null. Walk on with {@link #next}. */
    public QueuedUnit first(int bucket) {
        return bucket < head.length ? head[bucket] : null;
    }

    /** The unit after {@code unit} in its bucket, or null. Read it before unparking {@code unit}. */
    public static QueuedUnit next(QueuedUnit unit) {
        return unit.nextParked;
    }

    /**
     * Number of buckets holding at least one unit. With {@link #nonEmptyBucket}, walk them from the
     * last index down to 0: unparking inside the walk then never skips a bucket.
     */
    public int nonEmptyBuckets() {
        return nonEmptyCount;
    }

    public int nonEmptyBucket(int i) {
        return nonEmpty[i];
    }

    public int count(int bucket) {
        return bucket < count.length ? count[bucket] : 0;
    }

    public int size() {
        return total;
    }

    /** Highest bucket number ever used, plus one. */
    public int buckets() {
        return head.length;
    }

    private void ensureBucket(int bucket) {
        if (bucket < 0) {
            throw new IllegalArgumentException("bucket must be >= 0, got " + bucket);
        }
        if (bucket >= head.length) {
            int size = Math.max(bucket + 1, head.length * 2);
            head = Arrays.copyOf(head, size);
            tail = Arrays.copyOf(tail, size);
            count = Arrays.copyOf(count, size);
            nonEmpty = Arrays.copyOf(nonEmpty, size);
            nonEmptyPos = Arrays.copyOf(nonEmptyPos, size);
        }
    }
}
