package io.gantry.core.queue;

import java.util.Arrays;

/**
 * A binary heap of units ordered by priority (high first), then arrival (early first), with each
 * unit's position kept in the unit so removal from the middle is O(log n). The order keys are copied
 * into primitive arrays beside the units when a unit is added, so sifting compares without touching
 * the unit objects; a unit whose keys change must be removed and added again. Allocates only to grow.
 */
final class UnitHeap {
    private QueuedUnit[] heap = new QueuedUnit[16];
    private int[] priority = new int[16];
    private long[] arrival = new long[16];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    QueuedUnit peek() {
        return size == 0 ? null : heap[0];
    }

    /** Takes out and returns the first unit, or null. */
    QueuedUnit poll() {
        if (size == 0) {
            return null;
        }
        QueuedUnit first = heap[0];
        size--;
        if (size > 0) {
            move(size, 0);
            heap[size] = null;
            siftDown(0);
        } else {
            heap[0] = null;
        }
        first.heapIndex = -1;
        return first;
    }

    void add(QueuedUnit unit) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
            priority = Arrays.copyOf(priority, size * 2);
            arrival = Arrays.copyOf(arrival, size * 2);
        }
        heap[size] = unit;
        priority[size] = unit.priority;
        arrival[size] = unit.arrivalSeq;
        unit.heapIndex = size;
        size++;
        siftUp(size - 1);
    }

    void remove(QueuedUnit unit) {
        int i = unit.heapIndex;
        if (i < 0 || i >= size || heap[i] != unit) {
            throw new IllegalStateException("unit " + unit.name() + " is not in this heap");
        }
        size--;
        if (i != size) {
            move(size, i);
            heap[size] = null;
            siftDown(i);
            siftUp(i);
        } else {
            heap[size] = null;
        }
        unit.heapIndex = -1;
    }

    /** Whether the unit at slot i goes before the one at slot j. */
    private boolean before(int i, int j) {
        return priority[i] != priority[j] ? priority[i] > priority[j] : arrival[i] < arrival[j];
    }

    private void move(int from, int to) {
        QueuedUnit unit = heap[from];
        heap[to] = unit;
        priority[to] = priority[from];
        arrival[to] = arrival[from];
        unit.heapIndex = to;
    }

    private void siftUp(int i) {
        QueuedUnit unit = heap[i];
        int p = priority[i];
        long a = arrival[i];
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
        unit.heapIndex = i;
    }

    private void siftDown(int i) {
        QueuedUnit unit = heap[i];
        int p = priority[i];
        long a = arrival[i];
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
        unit.heapIndex = i;
    }
}
