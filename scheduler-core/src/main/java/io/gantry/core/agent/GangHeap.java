package io.gantry.core.agent;

import java.util.Arrays;

/**
 * A binary heap of gangs in which each gang keeps its own position (in a field the subclass names), so
 * a gang is taken out or re-sifted in O(log n) without a search. Subclasses give the order and the
 * field; a gang may sit in several heaps at once through different fields. Allocates only when it grows.
 * Agent thread only.
 */
abstract class GangHeap {
    private GangRecord[] items;
    private int size;

    GangHeap(int initialCapacity) {
        items = new GangRecord[initialCapacity];
    }

    /** Whether {@code a} comes out before {@code b}. */
    abstract boolean precedes(GangRecord a, GangRecord b);

    /** The gang's position in this heap, -1 when it is not in it. */
    abstract int indexOf(GangRecord gang);

    abstract void setIndex(GangRecord gang, int index);

    final int size() {
        return size;
    }

    /** The gang at {@code index}, in heap (not sorted) order. */
    final GangRecord get(int index) {
        return items[index];
    }

    /** The first gang in this heap's order, or null when it is empty. */
    final GangRecord first() {
        return size == 0 ? null : items[0];
    }

    final void add(GangRecord gang) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size] = gang;
        setIndex(gang, size);
        siftUp(size++);
    }

    /** Takes {@code gang} out; a no-op when it is not in the heap. */
    final void remove(GangRecord gang) {
        int i = indexOf(gang);
        if (i < 0) {
            return;
        }
        setIndex(gang, -1);
        GangRecord moved = items[--size];
        items[size] = null;
        if (i != size) {
            items[i] = moved;
            setIndex(moved, i);
            reorder(moved);
        }
    }

    /** Puts {@code gang} back in place after its order key changed; a no-op when it is not in the heap. */
    final void reorder(GangRecord gang) {
        int i = indexOf(gang);
        if (i >= 0) {
            siftDown(i);
            siftUp(indexOf(gang));
        }
    }

    private void siftUp(int i) {
        GangRecord g = items[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            GangRecord p = items[parent];
            if (!precedes(g, p)) {
                break;
            }
            items[i] = p;
            setIndex(p, i);
            i = parent;
        }
        items[i] = g;
        setIndex(g, i);
    }

    private void siftDown(int i) {
        GangRecord g = items[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && precedes(items[right], items[child])) {
                child = right;
            }
            GangRecord c = items[child];
            if (!precedes(c, g)) {
                break;
            }
            items[i] = c;
            setIndex(c, i);
            i = child;
        }
        items[i] = g;
        setIndex(g, i);
    }
}
