package io.gantry.core.agent;

import io.gantry.core.queue.QueuedUnit;

import java.util.ArrayList;
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
    private final GangHeap eligible = new GangHeap(16) {
        @Override
        boolean precedes(GangRecord a, GangRecord b) {
            if (a.priority() != b.priority() || a.arrivalSeq() != b.arrivalSeq()) {
                return QueuedUnit.precedes(a, b);
            }
            return a.waitSeq < b.waitSeq;
        }

        @Override
        int indexOf(GangRecord gang) {
            return gang.eligibleIndex;
        }

        @Override
        void setIndex(GangRecord gang, int index) {
            gang.eligibleIndex = index;
        }
    };
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
        eligible.remove(gang);
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
                eligible.add(gang);
            }
            cursor = gang.waitNext;
        }
    }

    /** The first gang in queue order among those past the delay and not timed out, or null. */
    GangRecord head() {
        return eligible.first();
    }

    /** Call after {@code gang.timedOut} changed. */
    void timedOutChanged(GangRecord gang) {
        if (gang.timedOut) {
            eligible.remove(gang);
        } else if (gang.waiting && gang.pastDelay && gang.eligibleIndex < 0) {
            eligible.add(gang);
        }
    }

    /** Call after the gang's priority or arrival changed. */
    void orderChanged(GangRecord gang) {
        eligible.reorder(gang);
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
            if (g.waiting && g != candidate && !QueuedUnit.precedes(candidate, g)) {
                return true;
            }
        }
        return false;
    }
}
