package io.gantry.core.queue;

import java.util.Arrays;

/**
 * A binary heap of units ordered by priority (high first), then arrival (early first), with each
 * unit's position kept in the unit so removal from the middle is O(log n). Allocates only to grow.
 */
final class UnitHeap {
    private QueuedUnit[] heap = new QueuedUnit[16];
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
            heap[0] = heap[size];
            heap[0].heapIndex = 0;
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
        }
        heap[size] = unit;
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
            heap[i] = heap[size];
            heap[i].heapIndex = i;
            heap[size] = null;
            siftDown(i);
            siftUp(i);
        } else {
            heap[size] = null;
        }
        unit.heapIndex = -1;
    }

    static boolean before(QueuedUnit a, QueuedUnit b) {
        if (a.priority != b.priority) {
            return a.priority > b.priority;
        }
        return a.arrivalSeq < b.arrivalSeq;
    }

    private void siftUp(int i) {
        QueuedUnit unit = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(unit, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            heap[i].heapIndex = i;
            i = parent;
        }
        heap[i] = unit;
        unit.heapIndex = i;
    }

    private void siftDown(int i) {
        QueuedUnit unit = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && before(heap[right], heap[child])) {
                child = right;
            }
            if (!before(heap[child], unit)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].heapIndex = i;
            i = child;
        }
        heap[i] = unit;
        unit.heapIndex = i;
    }
}
