package io.gantry.simulator.replay;

import java.util.Arrays;

/** Allocated GPU share and pending pods sampled over virtual time, in growing primitive arrays. */
public final class UtilizationSeries {
    private long[] timeNanos = new long[256];
    private double[] allocatedPct = new double[256];
    private int[] pending = new int[256];
    private int size;

    void add(long at, double allocated, int pendingPods) {
        if (size == timeNanos.length) {
            timeNanos = Arrays.copyOf(timeNanos, size * 2);
            allocatedPct = Arrays.copyOf(allocatedPct, size * 2);
            pending = Arrays.copyOf(pending, size * 2);
        }
        timeNanos[size] = at;
        allocatedPct[size] = allocated;
        pending[size] = pendingPods;
        size++;
    }

    public int size() {
        return size;
    }

    public double timeSeconds(int i) {
        return timeNanos[i] / 1e9;
    }

    public double allocatedPct(int i) {
        return allocatedPct[i];
    }

    /** Pods that have not started yet at sample i (arrived or not). */
    public int notStarted(int i) {
        return pending[i];
    }

    public double meanAllocatedPct() {
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += allocatedPct[i];
        }
        return size == 0 ? 0 : sum / size;
    }

    /** Mean allocated % over the samples taken up to {@code seconds} (the arrival window). */
    public double meanAllocatedPctUntil(double seconds) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < size && timeNanos[i] <= seconds * 1e9; i++) {
            sum += allocatedPct[i];
            n++;
        }
        return n == 0 ? 0 : sum / n;
    }

    public double peakAllocatedPct() {
        double max = 0;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, allocatedPct[i]);
        }
        return max;
    }
}
