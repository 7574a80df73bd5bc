package io.gantry.simulator.replay;

import io.gantry.simulator.workload.Workload;
import org.HdrHistogram.Histogram;

/**
 * What a timed replay measured. Times are in virtual seconds. Delay is from arrival to first bind;
 * gang wait from the gang's arrival to its last member's first bind; job completion time (JCT) from
 * arrival to the last member's departure, for jobs whose pods all finished. Allocation is averaged
 * over the whole run and over the arrival window (first to last arrival), where the load is.
 */
public record ReplayResult(String policy, String workload, int nodes, int pods, int gangs, int placedPods, int neverRan,
                           int preemptions, Percentiles queueingDelay, Percentiles gangWait, Percentiles jobCompletion,
                           double meanAllocatedPct, double arrivalWindowAllocatedPct, double peakAllocatedPct,
                           long events, double wallSeconds,
                           double virtualSeconds, UtilizationSeries utilization, String lastError) {

    /** Percentiles of a distribution, in seconds; count 0 when it is empty. */
    public record Percentiles(long count, double mean, double p50, double p90, double p99, double max) {
        static Percentiles of(Histogram millis) {
            if (millis.getTotalCount() == 0) {
                return new Percentiles(0, 0, 0, 0, 0, 0);
            }
            return new Percentiles(millis.getTotalCount(), millis.getMean() / 1e3,
                    millis.getValueAtPercentile(50) / 1e3, millis.getValueAtPercentile(90) / 1e3,
                    millis.getValueAtPercentile(99) / 1e3, millis.getMaxValue() / 1e3);
        }
    }

    public double eventsPerSecond() {
        return wallSeconds == 0 ? 0 : events / wallSeconds;
    }

    static ReplayResult of(String policy, Workload workload, ReplaySimulation.Jobs jobs, long[] firstBind, long[] completion,
                           UtilizationSeries utilization, int preemptions, long events, String lastError,
                           double wallSeconds, long endNanos) {
        int n = jobs.size();
        Histogram delay = new Histogram(3);
        Histogram jct = new Histogram(3);
        int placed = 0;
        for (int i = 0; i < n; i++) {
            if (firstBind[i] >= 0) {
                placed++;
                delay.recordValue(toMillis(firstBind[i] - jobs.arrival[i]));
                if (jobs.gangOf[i] < 0 && completion[i] >= 0) {
                    jct.recordValue(toMillis(completion[i] - jobs.arrival[i]));
                }
            }
        }
        int gangs = jobs.gangs.size();
        long[] gangArrival = new long[gangs];
        long[] gangBound = new long[gangs];
        long[] gangDone = new long[gangs];
        boolean[] gangAllBound = new boolean[gangs];
        boolean[] gangAllDone = new boolean[gangs];
        java.util.Arrays.fill(gangArrival, Long.MAX_VALUE);
        java.util.Arrays.fill(gangAllBound, true);
        java.util.Arrays.fill(gangAllDone, true);
        for (int i = 0; i < n; i++) {
            int g = jobs.gangOf[i];
            if (g < 0) {
                continue;
            }
            gangArrival[g] = Math.min(gangArrival[g], jobs.arrival[i]);
            gangAllBound[g] &= firstBind[i] >= 0;
            gangAllDone[g] &= completion[i] >= 0;
            gangBound[g] = Math.max(gangBound[g], firstBind[i]);
            gangDone[g] = Math.max(gangDone[g], completion[i]);
        }
        Histogram gangWait = new Histogram(3);
        for (int g = 0; g < gangs; g++) {
            if (gangAllBound[g]) {
                gangWait.recordValue(toMillis(gangBound[g] - gangArrival[g]));
            }
            if (gangAllDone[g]) {
                jct.recordValue(toMillis(gangDone[g] - gangArrival[g]));
            }
        }
        long lastArrival = 0;
        for (int i = 0; i < n; i++) {
            lastArrival = Math.max(lastArrival, jobs.arrival[i]);
        }
        return new ReplayResult(policy, workload.name(), workload.nodes().size(), n, gangs, placed, n - placed, preemptions,
                Percentiles.of(delay), Percentiles.of(gangWait), Percentiles.of(jct), utilization.meanAllocatedPct(),
                utilization.meanAllocatedPctUntil(lastArrival / 1e9), utilization.peakAllocatedPct(), events, wallSeconds, endNanos / 1e9, utilization, lastError);
    }

    private static long toMillis(long nanos) {
        return Math.max(0, nanos / 1_000_000);
    }
}
