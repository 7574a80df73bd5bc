package io.gantry.simulator.inflation;

/**
 * The FGD paper's metric: events are bucketed by arrived demand as a whole percentage of capacity
 * (rounded half to even), and the value at k% is the mean over the events in bucket k, or over buckets
 * k-1..k+1 when bucket k is empty. NaN when even the neighbours are empty.
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
        for (int i = 0; i < arrivedMilli.length; i++) {
            int k = arrivedPercent(arrivedMilli[i], capacityMilli);
            if (k <= maxPercent) {
                sum[k] += percent[i];
                count[k]++;
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
            mean[k] = c > 0 ? s / c : Double.NaN;
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
