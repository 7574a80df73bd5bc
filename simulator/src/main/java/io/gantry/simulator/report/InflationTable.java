package io.gantry.simulator.report;

import io.gantry.simulator.inflation.InflationSummary;

import java.util.Locale;

/** The console table of an inflation experiment: one row per policy. */
public final class InflationTable {
    private InflationTable() {
    }

    public static String render(InflationSummary summary) {
        int target = summary.maxPercent();
        int at100 = Math.min(100, target);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Inflation protocol: %s on %d nodes / %d GPUs, %d seed(s), demand up to %d%% of capacity%n",
                summary.workload(), summary.nodes(), summary.gpus(), summary.seeds(), target));
        String header = String.format(Locale.ROOT, "%-14s %12s %20s %12s %11s %13s %9s",
                "policy", "alloc@" + at100 + "%", "alloc@" + target + "% (min-max)", "frag@" + target + "%",
                "final alloc", "failed pods", "wall s");
        sb.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (InflationSummary.PolicySummary p : summary.policies()) {
            sb.append(String.format(Locale.ROOT, "%-14s %11.2f%% %8.2f%% (%.2f-%.2f) %11.2f%% %10.2f%% %13.1f %9.2f%n",
                    p.policy(), p.allocatedAt(at100), p.allocatedAt(target), p.allocatedPctMin()[target],
                    p.allocatedPctMax()[target], p.fragmentedPct()[target], p.finalAllocatedPct(), p.failedPodsMean(),
                    p.wallSeconds()));
        }
        sb.append("alloc = allocated GPU milli as % of capacity, mean over the events in each arrived-% bucket, then over seeds;\n")
          .append("frag = fragmented GPU milli (FGD's measure) as % of capacity.\n");
        return sb.toString();
    }
}
