package io.gantry.core.state;

import java.util.Arrays;

/**
 * Nodes grouped by (GPU model, key) in intrusive doubly linked lists over int arrays, so that moving
 * a node between buckets is O(1) and allocates nothing, and listing the nodes whose key is at least
 * k visits only those buckets. Each node is in at most one bucket.
 */
final class NodeBuckets {
    static final int NONE = -1;

    private final int keys;
    private final int[] head;
    private int[] next;
    private int[] prev;
    private int[] bucketOf;
    private final int[] count;

    NodeBuckets(int keys, int initialNodes) {
        this.keys = keys;
        this.head = new int[GpuModelRegistry.MAX_MODELS * keys];
        this.count = new int[head.length];
        Arrays.fill(head, NONE);
        this.next = new int[initialNodes];
        this.prev = new int[initialNodes];
        this.bucketOf = new int[initialNodes];
        Arrays.fill(bucketOf, NONE);
    }

    void ensureNodes(int nodes) {
        if (nodes > bucketOf.length) {
            int size = Math.max(nodes, bucketOf.length * 2);
            int old = bucketOf.length;
            next = Arrays.copyOf(next, size);
            prev = Arrays.copyOf(prev, size);
            bucketOf = Arrays.copyOf(bucketOf, size);
            Arrays.fill(bucketOf, old, size, NONE);
        }
    }

    /** Puts {@code node} in bucket (model, key), taking it out of any bucket it was in. */
    void put(int node, int model, int key) {
        int bucket = model * keys + key;
        if (bucketOf[node] == bucket) {
            return;
        }
        remove(node);
        int first = head[bucket];
        next[node] = first;
        prev[node] = NONE;
        if (first != NONE) {
            prev[first] = node;
        }
        head[bucket] = node;
        bucketOf[node] = bucket;
        count[bucket]++;
    }

    void remove(int node) {
        int bucket = bucketOf[node];
        if (bucket == NONE) {
            return;
        }
        int p = prev[node];
        int n = next[node];
        if (p == NONE) {
            head[bucket] = n;
        } else {
            next[p] = n;
        }
        if (n != NONE) {
            prev[n] = p;
        }
        bucketOf[node] = NONE;
        count[bucket]--;
    }

    /** Appends to {@code out} from {@code count} every node of {@code model} with key >= {@code minKey}; returns the new count. */
    int collect(int model, int minKey, int[] out, int count) {
        int base = model * keys;
        for (int key = Math.max(minKey, 0); key < keys; key++) {
            for (int node = head[base + key]; node != NONE; node = next[node]) {
                out[count++] = node;
            }
        }
        return count;
    }

    /** How many nodes of {@code model} have key >= {@code minKey}: O(keys). */
    int countAtLeast(int model, int minKey) {
        int base = model * keys;
        int n = 0;
        for (int key = Math.max(minKey, 0); key < keys; key++) {
            n += count[base + key];
        }
        return n;
    }

    /** The bucket key {@code node} is filed under, or {@link #NONE}. */
    int keyOf(int node) {
        int bucket = bucketOf[node];
        return bucket == NONE ? NONE : bucket % keys;
    }

    /** The model {@code node} is filed under, or {@link #NONE}. */
    int modelOf(int node) {
        int bucket = bucketOf[node];
        return bucket == NONE ? NONE : bucket / keys;
    }
}
