package io.gantry.core.policy;

import java.util.Arrays;

/**
 * One pod shape's score and GPU choice on every node, each kept with the node version it was computed
 * at, and the nodes that could hold the shape in one binary heap ordered best first: highest score, then
 * lowest fixed node rank. The top is the full scan's choice when the placer accepts it; when it does
 * not, the heap is searched best first (a small frontier of heap positions), so k refusals cost
 * O(k log k). A node's entry moves in O(log n) when its score changes; its rank never does.
 *
 * <p>The owner refreshes the entries of the nodes that changed ({@link #put}) before asking
 * {@link #best}; {@link #syncedChanges} records up to which {@linkplain
 * io.gantry.core.state.ClusterState#changeCount() state change} it has. Memory: about 25 bytes per node.
 * Allocates only while the node table grows.
 */
final class ShapeScores {
    private static final int NOT_FILED = -1;

    private int[] score = new int[0];
    private byte[] gpu = new byte[0];
    private long[] version = new long[0];
    /** Position of each node in {@link #heap}, or {@link #NOT_FILED}. */
    private int[] heapPos = new int[0];
    private int[] heap = new int[0];
    private int size;
    /** The best-first search's frontier: heap positions, itself a heap by the same order. */
    private int[] frontier = new int[0];
    private long[] rank;

    /** The state change count the entries reflect; -1 before the first full refresh. */
    long syncedChanges = -1;
    /** Decisions left to the placer's own search since the last catch-up, for {@link ScoreOrder}. */
    int decisionsBehind;

    ShapeScores(int nodes) {
        ensureNodes(nodes);
    }

    void ensureNodes(int nodes) {
        int old = version.length;
        if (old >= nodes) {
            return;
        }
        int grown = Math.max(nodes, old * 2);
        score = Arrays.copyOf(score, grown);
        gpu = Arrays.copyOf(gpu, grown);
        version = Arrays.copyOf(version, grown);
        heapPos = Arrays.copyOf(heapPos, grown);
        heap = Arrays.copyOf(heap, grown);
        frontier = new int[grown + 1];
        Arrays.fill(version, old, grown, -1);
        Arrays.fill(heapPos, old, grown, NOT_FILED);
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
     * Records {@code node}'s score and share GPU at {@code nodeVersion}, in the order when {@code holds}
     * (the node's free GPUs and CPU could take the shape), out of it otherwise.
     */
    void put(int node, long nodeVersion, int nodeScore, int shareGpu, boolean holds, long[] nodeRank) {
        rank = nodeRank;
        version[node] = nodeVersion;
        int oldScore = score[node];
        score[node] = nodeScore;
        gpu[node] = (byte) shareGpu;
        int pos = heapPos[node];
        if (!holds) {
            if (pos != NOT_FILED) {
                removeAt(pos);
            }
        } else if (pos == NOT_FILED) {
            heap[size] = node;
            heapPos[node] = size;
            siftUp(size++);
        } else if (nodeScore > oldScore) {
            siftUp(pos);
        } else if (nodeScore < oldScore) {
            siftDown(pos);
        }
    }

    /** Takes {@code node} out of the order (a removed node). */
    void forget(int node, long nodeVersion, long[] nodeRank) {
        rank = nodeRank;
        version[node] = nodeVersion;
        if (heapPos[node] != NOT_FILED) {
            removeAt(heapPos[node]);
        }
    }

    /**
     * The accepted node with the highest score, lowest rank on ties, or -1: the top when accepted,
     * otherwise the heap in best-first order, each refused node opening its two children.
     */
    int best(ScoreOrdered.NodeAcceptor acceptor, long[] nodeRank) {
        rank = nodeRank;
        if (size == 0) {
            return -1;
        }
        if (acceptor.accepts(heap[0])) {
            return heap[0];
        }
        int open = 0;
        open = pushChildren(0, open);
        while (open > 0) {
            int pos = frontier[0];
            open = popFrontier(open);
            int node = heap[pos];
            if (acceptor.accepts(node)) {
                return node;
            }
            open = pushChildren(pos, open);
        }
        return -1;
    }

    private boolean better(int a, int b) {
        return score[a] > score[b] || (score[a] == score[b] && Long.compareUnsigned(rank[a], rank[b]) < 0);
    }

    private void removeAt(int pos) {
        int node = heap[pos];
        heapPos[node] = NOT_FILED;
        int last = heap[--size];
        if (pos == size) {
            return;
        }
        heap[pos] = last;
        heapPos[last] = pos;
        if (pos > 0 && better(last, heap[(pos - 1) >>> 1])) {
            siftUp(pos);
        } else {
            siftDown(pos);
        }
    }

    private void siftUp(int pos) {
        int node = heap[pos];
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            int p = heap[parent];
            if (!better(node, p)) {
                break;
            }
            heap[pos] = p;
            heapPos[p] = pos;
            pos = parent;
        }
        heap[pos] = node;
        heapPos[node] = pos;
    }

    private void siftDown(int pos) {
        int node = heap[pos];
        int half = size >>> 1;
        while (pos < half) {
            int child = 2 * pos + 1;
            int right = child + 1;
            if (right < size && better(heap[right], heap[child])) {
                child = right;
            }
            if (!better(heap[child], node)) {
                break;
            }
            heap[pos] = heap[child];
            heapPos[heap[pos]] = pos;
            pos = child;
        }
        heap[pos] = node;
        heapPos[node] = pos;
    }

    private int pushChildren(int pos, int open) {
        for (int child = 2 * pos + 1; child <= 2 * pos + 2 && child < size; child++) {
            int at = open++;
            while (at > 0) {
                int parent = (at - 1) >>> 1;
                if (!better(heap[child], heap[frontier[parent]])) {
                    break;
                }
                frontier[at] = frontier[parent];
                at = parent;
            }
            frontier[at] = child;
        }
        return open;
    }

    private int popFrontier(int open) {
        int last = frontier[--open];
        int at = 0;
        int half = open >>> 1;
        while (at < half) {
            int child = 2 * at + 1;
            if (child + 1 < open && better(heap[frontier[child + 1]], heap[frontier[child]])) {
                child++;
            }
            if (!better(heap[frontier[child]], heap[last])) {
                break;
            }
            frontier[at] = frontier[child];
            at = child;
        }
        if (open > 0) {
            frontier[at] = last;
        }
        return open;
    }
}
