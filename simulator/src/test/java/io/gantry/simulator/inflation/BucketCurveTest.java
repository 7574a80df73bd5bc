package io.gantry.simulator.inflation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BucketCurveTest {

    @Test
    void arrivedPercentRoundsHalfToEven() {
        assertThat(BucketCurve.arrivedPercent(25, 1000)).isEqualTo(2);   // 2.5 -> 2
        assertThat(BucketCurve.arrivedPercent(35, 1000)).isEqualTo(4);   // 3.5 -> 4
        assertThat(BucketCurve.arrivedPercent(36, 1000)).isEqualTo(4);   // 3.6 -> 4
        assertThat(BucketCurve.arrivedPercent(1300, 1000)).isEqualTo(130);
    }

    @Test
    void meanPerBucketAndNeighboursForAnEmptyBucket() {
        // capacity 1000: events at arrived 0.4% (k=0), 0.6% (k=1), 1.4% (k=1), 3.0% (k=3); nothing at k=2
        long[] arrived = {4, 6, 14, 30};
        double[] value = {10, 20, 40, 70};
        double[] mean = BucketCurve.bucketMeans(arrived, 1000, value, 4);
        assertThat(mean[0]).isEqualTo(10);
        assertThat(mean[1]).isEqualTo(30);              // (20 + 40) / 2
        assertThat(mean[2]).isCloseTo(130.0 / 3, within(1e-12)); // empty: k=1..3 -> (20 + 40 + 70) / 3
        assertThat(mean[3]).isEqualTo(70);
        assertThat(mean[4]).isEqualTo(70);              // empty: k=3..5 -> 70
    }

    @Test
    void lastEventAtOrBelowWhenEvenTheNeighboursAreEmpty() {
        // events at k=0 (5) and k=2 (7), then a jump to k=9 (11)
        double[] mean = BucketCurve.bucketMeans(new long[]{0, 20, 90}, 1000, new double[]{5, 7, 11}, 6);
        assertThat(mean[1]).isEqualTo(6);   // neighbours 0..2
        assertThat(mean[3]).isEqualTo(7);   // neighbours 2..4
        assertThat(mean[4]).isEqualTo(7);   // 3..5 empty: last event at or below 4% is the one at 2%
        assertThat(mean[6]).isEqualTo(7);
    }

    @Test
    void nanOnlyBelowTheFirstEvent() {
        double[] mean = BucketCurve.bucketMeans(new long[]{50}, 1000, new double[]{9}, 5);
        assertThat(mean[0]).isNaN();
        assertThat(mean[4]).isEqualTo(9);
    }

    @Test
    void percentOfCapacity() {
        assertThat(BucketCurve.percentOf(new long[]{0, 250, 1000}, 1000)).containsExactly(0, 25, 100);
    }
}
