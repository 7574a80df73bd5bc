package io.gantry.core.queue;

import java.util.Arrays;

/**
 * A binary heap of units ordered by priority (high first), then arrival (early first). The order
 * keys are copied into primitive arrays beside the units when a unit is added, so sifting touches
 * neither the units' keys nor their fields: a unit taken out from the middle is not searched for but
 * left behind as a stale entry (its generation no longer matches the unit's), skipped when it reaches
 * the top, and the heap is compacted when stale entries outnumber live ones. A unit whose keys change
 * must be removed and added again. Allocates only to grow.
 */
final class UnitHeap {
    private QueuedUnit[] heap = new QueuedUnit[16];
    private int[] priority = new int[16];
    private long[] arrival = new long[16];
    private int[] generation = new int[16];
    /** Entries, live and stale. */
    private int size;
    /** Units in the heap. */
    private int live;

    int size() {
        return live;
    }

    boolean isEmpty() {
        return live == 0;
    }

    QueuedUnit peek() {
        dropStaleTop();
        return size == 0 ? null : heap[0];
    }

    /** Takes out and returns the first unit, or null. */
    QueuedUnit poll() {
        dropStaleTop();
        if (size == 0) {
            return null;
        }
        QueuedUnit first = heap[0];
        removeTop();
        first.heapGeneration++;
        first.inHeap = false;
        live--;
        return first;
    }

    void add(QueuedUnit unit) {
        if (unit.inHeap) {
            throw new IllegalStateException("unit " + unit.name() + " is in a heap already");
        }
        if (size == heap.length) {
            if (live < size / 2) {
                compact();
            }
            if (size == heap.length) {
                int grown = size * 2;
                heap = Arrays.copyOf(heap, grown);
                priority = Arrays.copyOf(priority, grown);
                arrival = Arrays.copyOf(arrival, grown);
                generation = Arrays.copyOf(generation, grown);
            }
        }
        unit.inHeap = true;
        heap[size] = unit;
        priority[size] = unit.priority;
        arrival[size] = unit.arrivalSeq;
        generation[size] = unit.heapGeneration;
        size++;
        live++;
        siftUp(size - 1);
    }

    /** Takes {@code unit} out: its entry goes stale. */
    void remove(QueuedUnit unit) {
        if (!unit.inHeap) {
            throw new IllegalStateException("unit " + unit.name() + " is not in this heap");
        }
        unit.heapGeneration++;
        unit.inHeap = false;
        live--;
        if (live == 0) {
            Arrays.fill(heap, 0, size, null);
            size = 0;
        }
    }

    private boolean isStale(int i) {
        return generation[i] != heap[i].heapGeneration;
    }

    private void dropStaleTop() {
        while (size > 0 && isStale(0)) {
            removeTop();
        }
    }

    private void removeTop() {
        size--;
        if (size > 0) {
            move(size, 0);
            heap[size] = null;
            siftDown(0);
        } else {
            heap[0] = null;
        }
    }

    /** Drops the stale entries and rebuilds the heap: O(entries). */
    private void compact() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!isStale(i)) {
                move(i, n++);
            }
        }
        Arrays.fill(heap, n, size, null);
        size = n;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    /** Whether the entry at slot i goes before the one at slot j. */
    private boolean before(int i, int j) {
        return priority[i] != priority[j] ? priority[i] > priority[j] : arrival[i] < arrival[j];
    }

    private void move(int from, int to) {
        heap[to] = heap[from];
        priority[to] = priority[from];
        arrival[to] = arrival[from];
        generation[to] = generation[from];
    }

    private void siftUp(int i) {
        QueuedUnit unit = heap[i];
        int p = priority[i];
        long a = arrival[i];
        int g = generation[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            int pp = priority[parent];
            if (p != pp ? p < pp : a >= arrival[parent]) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        heap[i] = unit;
        priority[i] = p;
        arrival[i] = a;
        generation[i] = g;
    }

    private void siftDown(int i) {
        QueuedUnit unit = heap[i];
        int p = priority[i];
        long a = arrival[i];
        int g = generation[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(right, child)) {
                child = right;
            }
            int cp = priority[child];
            if (cp != p ? cp < p : arrival[child] >= a) {
                break;
            }
            move(child, i);
            i = child;
        }
        heap[i] = unit;
        priority[i] = p;
        arrival[i] = a;
        generation[i] = g;
    }
}
