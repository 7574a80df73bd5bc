package io.gantry.simulator.inflation;

import io.gantry.simulator.trace.TracePod;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds one seed's arrival sequence: shuffle the original pods, then append random copies until the
 * GPU demand reaches the target, or remove random pods when it is above it.
 */
public final class InflationTuner {
    private InflationTuner() {
    }

    /**
     * @param originals      the trace's pods sorted by name (the population)
     * @param capacityMilli  the cluster's GPU capacity in milli-GPU
     * @param inflateTo      target demand as a multiple of capacity, for example 1.3
     * @param random         the run's generator; shuffling and sampling draw from it in this order
     */
    public static List<TracePod> arrivals(List<TracePod> originals, long capacityMilli, double inflateTo, SplittableRandom random) {
        if (originals.isEmpty()) {
            throw new IllegalArgumentException("the workload has no pods to inflate");
        }
        if (!(inflateTo > 0)) {
            throw new IllegalArgumentException("--inflate-to must be > 0, got " + inflateTo);
        }
        List<TracePod> list = new ArrayList<>(originals);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            TracePod tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
        double target = inflateTo * capacityMilli;
        long demand = 0;
        for (TracePod pod : list) {
            demand += pod.totalGpuMilli();
        }
        if (demand < target) {
            boolean anyGpu = originals.stream().anyMatch(p -> p.totalGpuMilli() > 0);
            if (!anyGpu) {
                return list; // nothing to inflate with: copies of CPU-only pods would never reach the target
            }
            while (true) {
                TracePod copy = originals.get(random.nextInt(originals.size()));
                // the paper's artifact tests the copy's per-GPU milli, not its total, against the target
                if (demand + copy.gpuMilli() > target) {
                    break;
                }
                list.add(copy);
                demand += copy.totalGpuMilli();
            }
        } else {
            while (demand > target && !list.isEmpty()) {
                TracePod removed = list.remove(random.nextInt(list.size()));
                demand -= removed.totalGpuMilli();
            }
        }
        return list;
    }
}
