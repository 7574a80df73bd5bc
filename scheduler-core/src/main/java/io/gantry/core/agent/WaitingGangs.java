package io.gantry.core.agent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The gangs that failed a plan and wait for room, for the gang timers: in the order they started
 * waiting (an intrusive list), and, once they have waited the reservation delay and are not timed
 * out, in a heap by queue order (priority high first, then arrival early first, then the order they
 * started waiting), so the reservation candidate is found without a scan. The list is ordered by
 * {@link GangRecord#waitingSince} (gangs are appended at the current time), so the gangs past the
 * delay are a prefix, tracked by a cursor. Also keeps the gangs holding a reservation.
 *
 * <p>Add, remove and advance are O(log n); allocates only when the heap or holder list grows.
 * Agent thread only.
 */
final class WaitingGangs {
    private GangRecord first;
    private GangRecord last;
    /** First gang of the list not yet past the reservation delay; null when all are. */
    private GangRecord cursor;
    private int size;
    private long nextSeq;
    private GangRecord[] heap = new GangRecord[16];
    private int heapSize;
    private final List<GangRecord> holders = new ArrayList<>();

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    boolean contains(GangRecord gang) {
        return gang.waiting;
    }

    /** Appends {@code gang}, which starts waiting now (its waitingSince is the latest of all). */
    void add(GangRecord gang) {
        if (gang.waiting) {
            throw new IllegalStateException(gang.name() + " waits already");
        }
        gang.waiting = true;
        gang.waitSeq = nextSeq++;
        gang.pastDelay = false;
        gang.waitPrev = last;
        gang.waitNext = null;
        if (last == null) {
            first = gang;
        } else {
            last.waitNext = gang;
        }
        last = gang;
        if (cursor == null) {
            cursor = gang;
        }
        size++;
    }

    /** Takes {@code gang} out; a no-op when it does not wait. */
    void remove(GangRecord gang) {
        if (!gang.waiting) {
            return;
        }
        if (cursor == gang) {
            cursor = gang.waitNext;
        }
        if (gang.waitPrev == null) {
            first = gang.waitNext;
        } else {
            gang.waitPrev.waitNext = gang.waitNext;
        }
        if (gang.waitNext == null) {
            last = gang.waitPrev;
        } else {
            gang.waitNext.waitPrev = gang.waitPrev;
        }
        gang.waitPrev = null;
        gang.waitNext = null;
        gang.waiting = false;
        gang.pastDelay = false;
        removeFromHeap(gang);
        size--;
    }

    /** First waiting gang, in the order they started waiting; walk on with {@link GangRecord#waitNext}. */
    GangRecord first() {
        return first;
    }

    /** Moves the gangs that have waited at least {@code delay} by {@code now} into the heap (the timed-out ones stay out). */
    void advance(long now, long delay) {
        while (cursor != null && now - cursor.waitingSince >= delay) {
            GangRecord gang = cursor;
            gang.pastDelay = true;
            if (!gang.timedOut) {
                addToHeap(gang);
            }
            cursor = gang.waitNext;
        }
    }

    /** The first gang in queue order among those past the delay and not timed out, or null. */
    GangRecord head() {
        return heapSize == 0 ? null : heap[0];
    }

    /** Call after {@code gang.timedOut} changed. */
    void timedOutChanged(GangRecord gang) {
        if (gang.timedOut) {
            removeFromHeap(gang);
        } else if (gang.waiting && gang.pastDelay && gang.eligibleIndex < 0) {
            addToHeap(gang);
        }
    }

    /** Call after the gang's priority or arrival changed. */
    void orderChanged(GangRecord gang) {
        int i = gang.eligibleIndex;
        if (i >= 0) {
            siftDown(i);
            siftUp(gang.eligibleIndex);
        }
    }

    /** Call after {@code gang.reservationHeld} became true. */
    void holds(GangRecord gang) {
        holders.add(gang);
    }

    /** Call after {@code gang.reservationHeld} became false. */
    void released(GangRecord gang) {
        holders.remove(gang);
    }

    boolean listsHolder(GangRecord gang) {
        return holders.contains(gang);
    }

    /** Whether a waiting gang other than {@code candidate}, not after it in queue order, holds a reservation. */
    boolean anyHolderNotAfter(GangRecord candidate) {
        for (int i = 0; i < holders.size(); i++) {
            GangRecord g = holders.get(i);
            if (g.waiting && g != candidate && !SchedulerAgent.before(candidate, g)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ heap

    private static boolean precedes(GangRecord a, GangRecord b) {
        if (a.priority() != b.priority()) {
            return a.priority() > b.priority();
        }
        if (a.arrivalSeq() != b.arrivalSeq()) {
            return a.arrivalSeq() < b.arrivalSeq();
        }
        return a.waitSeq < b.waitSeq;
    }

    private void addToHeap(GangRecord gang) {
        if (heapSize == heap.length) {
            heap = Arrays.copyOf(heap, heapSize * 2);
        }
        heap[heapSize] = gang;
        gang.eligibleIndex = heapSize;
        siftUp(heapSize++);
    }

    private void removeFromHeap(GangRecord gang) {
        int i = gang.eligibleIndex;
        if (i < 0) {
            return;
        }
        gang.eligibleIndex = -1;
        GangRecord moved = heap[--heapSize];
        heap[heapSize] = null;
        if (i != heapSize) {
            heap[i] = moved;
            moved.eligibleIndex = i;
            siftDown(i);
            siftUp(moved.eligibleIndex);
        }
    }

    private void siftUp(int i) {
        GangRecord g = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            GangRecord p = heap[parent];
            if (!precedes(g, p)) {
                break;
            }
            heap[i] = p;
            p.eligibleIndex = i;
            i = parent;
        }
        heap[i] = g;
        g.eligibleIndex = i;
    }

    private void siftDown(int i) {
        GangRecord g = heap[i];
        int half = heapSize >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < heapSize && precedes(heap[right], heap[child])) {
                child = right;
            }
            GangRecord c = heap[child];
            if (!precedes(c, g)) {
                break;
            }
            heap[i] = c;
            c.eligibleIndex = i;
            i = child;
        }
        heap[i] = g;
        g.eligibleIndex = i;
    }
}
