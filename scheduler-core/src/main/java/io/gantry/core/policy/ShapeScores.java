package io.gantry.core.policy;

import java.util.Arrays;

/**
 * One pod shape's score and GPU choice on every node, each kept with the node version it was computed
 * at, and the nodes that could hold the shape filed by score (0..100), each score's nodes in a min-heap
 * by fixed node rank: the best node for the shape (highest score, then lowest rank) is the top of the
 * highest non-empty score. A node's entry moves only when its score changes (its rank never does), in
 * O(log n).
 *
 * <p>The owner refreshes the entries of the nodes that changed ({@link #put}) before asking
 * {@link #best}; {@link #syncedChanges} records up to which {@linkplain
 * io.gantry.core.state.ClusterState#changeCount() state change} it has. Memory: about 22 bytes per node.
 * Allocates only while the node table grows.
 */
final class ShapeScores {
    static final int MAX_SCORE = 100;
    private static final int SCORES = MAX_SCORE + 1;
    private static final byte NOT_FILED = -1;

    private int[] score = new int[0];
    private byte[] gpu = new byte[0];
    private long[] version = new long[0];
    private byte[] filedUnder = new byte[0];
    private int[] heapPos = new int[0];
    private final int[][] heap = new int[SCORES][];
    private final int[] heapSize = new int[SCORES];
    /** Bit s set when score s files at least one node. */
    private final long[] filled = new long[2];

    /** The state change count the entries reflect; -1 before the first full refresh. */
    long syncedChanges = -1;

    ShapeScores(int nodes) {
        ensureNodes(nodes);
        for (int s = 0; s < SCORES; s++) {
            heap[s] = new int[8];
        }
    }

    void ensureNodes(int nodes) {
        int old = version.length;
        if (old >= nodes) {
            return;
        }
        int size = Math.max(nodes, old * 2);
        score = Arrays.copyOf(score, size);
        gpu = Arrays.copyOf(gpu, size);
        version = Arrays.copyOf(version, size);
        filedUnder = Arrays.copyOf(filedUnder, size);
        heapPos = Arrays.copyOf(heapPos, size);
        Arrays.fill(version, old, size, -1);
        Arrays.fill(filedUnder, old, size, NOT_FILED);
    }

    boolean isCurrent(int node, long nodeVersion) {
        return version[node] == nodeVersion;
    }

    int score(int node) {
        return score[node];
    }

    int gpu(int node) {
        return gpu[node];
    }

    /**
     * Records {@code node}'s score and share GPU at {@code nodeVersion}, filed under the score when
     * {@code holds} (the node's free GPUs and CPU could take the shape), taken out of the order otherwise.
     */
    void put(int node, long nodeVersion, int nodeScore, int shareGpu, boolean holds, long[] rank) {
        version[node] = nodeVersion;
        score[node] = nodeScore;
        gpu[node] = (byte) shareGpu;
        int target = NOT_FILED;
        if (holds) {
            if (nodeScore < 0 || nodeScore > MAX_SCORE) {
                throw new IllegalStateException("node id " + node + ": score " + nodeScore + " is outside 0.." + MAX_SCORE);
            }
            target = nodeScore;
        }
        int current = filedUnder[node];
        if (current == target) {
            return;
        }
        if (current != NOT_FILED) {
            unfile(node, current, rank);
        }
        if (target != NOT_FILED) {
            file(node, target, rank);
        }
        filedUnder[node] = (byte) target;
    }

    /** Takes {@code node} out of the order (a removed node); its cached score stays valid for its version. */
    void forget(int node, long nodeVersion, long[] rank) {
        version[node] = nodeVersion;
        int current = filedUnder[node];
        if (current != NOT_FILED) {
            unfile(node, current, rank);
            filedUnder[node] = NOT_FILED;
        }
    }

    /**
     * The accepted node with the highest score, lowest rank on ties, or -1. Within a score the heap's top
     * is asked first; only when it is refused are the other nodes of that score asked, those ranked
     * below the best accepted so far, so the acceptor usually answers once.
     */
    int best(ScoreOrdered.NodeAcceptor acceptor, long[] rank) {
        for (int w = filled.length - 1; w >= 0; w--) {
            for (long word = filled[w]; word != 0; ) {
                int bit = 63 - Long.numberOfLeadingZeros(word);
                word &= ~(1L << bit);
                int s = (w << 6) + bit;
                int[] nodes = heap[s];
                if (acceptor.accepts(nodes[0])) {
                    return nodes[0];
                }
                int best = -1;
                for (int i = 1, size = heapSize[s]; i < size; i++) {
                    int node = nodes[i];
                    if ((best < 0 || Long.compareUnsigned(rank[node], rank[best]) < 0) && acceptor.accepts(node)) {
                        best = node;
                    }
                }
                if (best >= 0) {
                    return best;
                }
            }
        }
        return -1;
    }

    /** Nodes filed under {@code s}, for tests. */
    int filedCount(int s) {
        return heapSize[s];
    }

    private void file(int node, int s, long[] rank) {
        int size = heapSize[s];
        if (size == heap[s].length) {
            heap[s] = Arrays.copyOf(heap[s], size * 2);
        }
        heapSize[s] = size + 1;
        filled[s >>> 6] |= 1L << s;
        siftUp(heap[s], size, node, rank);
    }

    private void unfile(int node, int s, long[] rank) {
        int[] nodes = heap[s];
        int size = --heapSize[s];
        int pos = heapPos[node];
        if (size == 0) {
            filled[s >>> 6] &= ~(1L << s);
        }
        if (pos == size) {
            return;
        }
        int last = nodes[size];
        siftDown(nodes, size, pos, last, rank);
        if (nodes[pos] == last) {
            siftUp(nodes, pos, last, rank);
        }
    }

    private void siftUp(int[] nodes, int pos, int node, long[] rank) {
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            int p = nodes[parent];
            if (Long.compareUnsigned(rank[node], rank[p]) >= 0) {
                break;
            }
            nodes[pos] = p;
            heapPos[p] = pos;
            pos = parent;
        }
        nodes[pos] = node;
        heapPos[node] = pos;
    }

    private void siftDown(int[] nodes, int size, int pos, int node, long[] rank) {
        int half = size >>> 1;
        while (pos < half) {
            int child = 2 * pos + 1;
            int right = child + 1;
            if (right < size && Long.compareUnsigned(rank[nodes[right]], rank[nodes[child]]) < 0) {
                child = right;
            }
            if (Long.compareUnsigned(rank[nodes[child]], rank[node]) >= 0) {
                break;
            }
            nodes[pos] = nodes[child];
            heapPos[nodes[pos]] = pos;
            pos = child;
        }
        nodes[pos] = node;
        heapPos[node] = pos;
    }
}
