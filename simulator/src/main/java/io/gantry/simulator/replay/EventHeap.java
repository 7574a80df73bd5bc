package io.gantry.simulator.replay;

import java.util.Arrays;

/**
 * Future events ordered by (time, insertion order), in parallel primitive arrays: a binary heap that
 * allocates only when it grows.
 */
final class EventHeap {
    private long[] time = new long[1024];
    private long[] seq = new long[1024];
    private int[] kind = new int[1024];
    private int[] ref = new int[1024];
    private int size;
    private long nextSeq;

    void push(long at, int eventKind, int eventRef) {
        if (size == time.length) {
            int n = size * 2;
            time = Arrays.copyOf(time, n);
            seq = Arrays.copyOf(seq, n);
            kind = Arrays.copyOf(kind, n);
            ref = Arrays.copyOf(ref, n);
        }
        int i = size++;
        long s = nextSeq++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(at, s, time[parent], seq[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, at, s, eventKind, eventRef);
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    long peekTime() {
        return time[0];
    }

    int peekKind() {
        return kind[0];
    }

    int peekRef() {
        return ref[0];
    }

    void pop() {
        size--;
        if (size == 0) {
            return;
        }
        long at = time[size];
        long s = seq[size];
        int k = kind[size];
        int r = ref[size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && less(time[right], seq[right], time[child], seq[child])) {
                child = right;
            }
            if (!less(time[child], seq[child], at, s)) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, at, s, k, r);
    }

    private static boolean less(long t1, long s1, long t2, long s2) {
        return t1 < t2 || (t1 == t2 && s1 < s2);
    }

    private void move(int from, int to) {
        time[to] = time[from];
        seq[to] = seq[from];
        kind[to] = kind[from];
        ref[to] = ref[from];
    }

    private void set(int i, long at, long s, int k, int r) {
        time[i] = at;
        seq[i] = s;
        kind[i] = k;
        ref[i] = r;
    }
}
