package io.gantry.core.policy;

/** Rescaling of one decision's scores, in place. */
final class ScoreNormalizer {
    private ScoreNormalizer() {
    }

    /** Maps [min, max] onto [0, 100] with integer division; all scores 0 when they are all equal. */
    static void minMax(int[] scores, int count) {
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < count; i++) {
            min = Math.min(min, scores[i]);
            max = Math.max(max, scores[i]);
        }
        long range = (long) max - min;
        for (int i = 0; i < count; i++) {
            scores[i] = range == 0 ? 0 : (int) ((scores[i] - (long) min) * 100 / range);
        }
    }
}
