package io.gantry.simulator.inflation;

/**
 * The FGD paper's metric: events are bucketed by arrived demand as a whole percentage of capacity
 * (rounded half to even), and the value at k% is the mean over the events in bucket k, or over buckets
 * k-1..k+1 when bucket k is empty. When even the neighbours are empty (a small cluster, where one pod
 * moves arrived demand by several points), the value of the last event whose arrived percentage is
 * at most k; NaN only below the first event.
 */
public final class BucketCurve {
    private BucketCurve() {
    }

    /** Arrived percentage of each event, as the paper rounds it. */
    public static int arrivedPercent(long arrivedMilli, long capacityMilli) {
        return (int) Math.rint(arrivedMilli * 100.0 / capacityMilli);
    }

    /** Bucket means for k = 0..maxPercent of the per-event values {@code percent[i]}. */
    public static double[] bucketMeans(long[] arrivedMilli, long capacityMilli, double[] percent, int maxPercent) {
        double[] sum = new double[maxPercent + 1];
        int[] count = new int[maxPercent + 1];
        double[] lastAtOrBelow = new double[maxPercent + 1];
        java.util.Arrays.fill(lastAtOrBelow, Double.NaN);
        for (int i = 0; i < arrivedMilli.length; i++) {
            int k = arrivedPercent(arrivedMilli[i], capacityMilli);
            if (k <= maxPercent) {
                sum[k] += percent[i];
                count[k]++;
                lastAtOrBelow[k] = percent[i];
            }
        }
        for (int k = 1; k <= maxPercent; k++) {
            if (Double.isNaN(lastAtOrBelow[k])) {
                lastAtOrBelow[k] = lastAtOrBelow[k - 1];
            }
        }
        double[] mean = new double[maxPercent + 1];
        for (int k = 0; k <= maxPercent; k++) {
            if (count[k] > 0) {
                mean[k] = sum[k] / count[k];
                continue;
            }
            double s = 0;
            int c = 0;
            for (int j = Math.max(0, k - 1); j <= Math.min(maxPercent, k + 1); j++) {
                s += sum[j];
                c += count[j];
            }
            mean[k] = c > 0 ? s / c : lastAtOrBelow[k];
        }
        return mean;
    }

    /** {@code 100 * milli[i] / capacityMilli} for each event. */
    public static double[] percentOf(long[] milli, long capacityMilli) {
        double[] out = new double[milli.length];
        for (int i = 0; i < milli.length; i++) {
            out[i] = milli[i] * 100.0 / capacityMilli;
        }
        return out;
    }
}
