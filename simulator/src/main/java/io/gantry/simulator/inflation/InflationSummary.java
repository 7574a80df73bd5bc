package io.gantry.simulator.inflation;

import io.gantry.simulator.workload.Workload;

import java.util.ArrayList;
import java.util.List;

/**
 * Results of an inflation experiment, per policy, across seeds. Curves are indexed by arrived
 * percentage k = 0..maxPercent; each is the mean over seeds of the per-seed bucket mean.
 */
public record InflationSummary(String workload, int nodes, int gpus, int seeds, double inflateTo, int maxPercent,
                               List<PolicySummary> policies) {

    /**
     * @param allocatedPct       mean allocated GPU % of capacity at each arrived %
     * @param allocatedPctMin    lowest seed's value at each arrived %
     * @param allocatedPctMax    highest seed's value at each arrived %
     * @param fragmentedPct      mean fragmented GPU milli as % of capacity ("frag / total")
     * @param fragmentationRate  mean fragmented GPU milli as % of the idle GPU milli ("frag rate")
     * @param failedPodsMean     pods that could not be placed, mean over seeds
     * @param arrivalsMean       pods submitted per run, mean over seeds
     * @param finalAllocatedPct  allocated % after the last pod, mean over seeds
     * @param wallSeconds        wall time of all this policy's runs added up
     */
    public record PolicySummary(String policy, double[] allocatedPct, double[] allocatedPctMin, double[] allocatedPctMax,
                                double[] fragmentedPct, double[] fragmentationRate, double failedPodsMean,
                                double arrivalsMean, double finalAllocatedPct, double wallSeconds) {
        public double allocatedAt(int percent) {
            return allocatedPct[percent];
        }
    }

    static InflationSummary of(Workload workload, InflationExperiment.Config config, List<InflationRun.Series> series, int maxPercent) {
        List<PolicySummary> policies = new ArrayList<>();
        for (String policy : config.policies()) {
            List<InflationRun.Series> runs = series.stream().filter(s -> s.policy().equals(policy)).toList();
            double[] alloc = new double[maxPercent + 1];
            double[] min = new double[maxPercent + 1];
            double[] max = new double[maxPercent + 1];
            double[] frag = new double[maxPercent + 1];
            double[] rate = new double[maxPercent + 1];
            java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
            double failed = 0;
            double arrivals = 0;
            double finalAlloc = 0;
            double wall = 0;
            for (InflationRun.Series run : runs) {
                long capacity = run.capacityMilli();
                double[] allocatedPct = BucketCurve.percentOf(run.allocatedMilli(), capacity);
                double[] fragmentedPct = new double[run.events()];
                double[] ratePct = new double[run.events()];
                for (int i = 0; i < run.events(); i++) {
                    fragmentedPct[i] = run.fragmentedMilli()[i] * 100.0 / capacity;
                    long idle = capacity - run.allocatedMilli()[i];
                    ratePct[i] = idle == 0 ? 0 : run.fragmentedMilli()[i] * 100.0 / idle;
                }
                double[] a = BucketCurve.bucketMeans(run.arrivedMilli(), capacity, allocatedPct, maxPercent);
                double[] f = BucketCurve.bucketMeans(run.arrivedMilli(), capacity, fragmentedPct, maxPercent);
                double[] r = BucketCurve.bucketMeans(run.arrivedMilli(), capacity, ratePct, maxPercent);
                for (int k = 0; k <= maxPercent; k++) {
                    alloc[k] += a[k] / runs.size();
                    frag[k] += f[k] / runs.size();
                    rate[k] += r[k] / runs.size();
                    min[k] = Math.min(min[k], a[k]);
                    max[k] = Math.max(max[k], a[k]);
                }
                failed += run.failedPods() / (double) runs.size();
                arrivals += run.events() / (double) runs.size();
                finalAlloc += (run.events() == 0 ? 0 : allocatedPct[run.events() - 1]) / runs.size();
                wall += run.wallSeconds();
            }
            policies.add(new PolicySummary(policy, alloc, min, max, frag, rate, failed, arrivals, finalAlloc, wall));
        }
        return new InflationSummary(workload.name(), workload.nodes().size(), workload.gpuCount(), config.seeds(),
                config.inflateTo(), maxPercent, policies);
    }

    public PolicySummary policy(String name) {
        return policies.stream().filter(p -> p.policy().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no results for policy " + name));
    }
}
