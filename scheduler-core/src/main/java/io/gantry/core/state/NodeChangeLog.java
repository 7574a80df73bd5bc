package io.gantry.core.state;

/**
 * The most recent node changes in order, as a ring of node ids numbered by a running change count, so
 * an index kept outside the state (a policy's per-shape scores) can catch up on exactly the nodes that
 * changed since it last looked instead of rescanning the cluster. A reader that fell further behind than
 * the ring holds is told so and rescans.
 *
 * <p>The ring holds at least twice as many changes as there are node slots, so falling behind costs a
 * reader at most about as much as a rescan it would need anyway. One write per change; allocates only
 * when the node table grows.
 */
final class NodeChangeLog {
    private static final int MIN_CAPACITY = 1024;

    private int[] ring;
    private int mask;
    private long count;
    /** Changes before this one were dropped when the ring grew: its new slots hold nothing for them. */
    private long validFrom;

    NodeChangeLog(int nodes) {
        ring = new int[capacityFor(nodes)];
        mask = ring.length - 1;
    }

    void record(int node) {
        ring[(int) (count & mask)] = node;
        count++;
    }

    long count() {
        return count;
    }

    /** The oldest change the ring still names. */
    long oldest() {
        return Math.max(validFrom, count - ring.length);
    }

    /** The node of change {@code change}; the caller has checked it is not older than {@link #oldest()}. */
    int node(long change) {
        return ring[(int) (change & mask)];
    }

    /** Grows the ring for a node table of {@code nodes} slots, keeping the changes it holds. */
    void ensureNodes(int nodes) {
        int capacity = capacityFor(nodes);
        if (capacity <= ring.length) {
            return;
        }
        int[] grown = new int[capacity];
        int newMask = capacity - 1;
        validFrom = oldest();
        for (long change = validFrom; change < count; change++) {
            grown[(int) (change & newMask)] = ring[(int) (change & mask)];
        }
        ring = grown;
        mask = newMask;
    }

    private static int capacityFor(int nodes) {
        int wanted = Math.max(MIN_CAPACITY, 2 * nodes);
        return Integer.highestOneBit(wanted - 1) << 1;
    }
}
