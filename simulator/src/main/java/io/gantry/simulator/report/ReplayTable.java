package io.gantry.simulator.report;

import io.gantry.simulator.replay.ReplayResult;

import java.util.List;
import java.util.Locale;

/** The console table of a timed replay: one row per policy. */
public final class ReplayTable {
    private ReplayTable() {
    }

    public static String render(List<ReplayResult> results) {
        StringBuilder sb = new StringBuilder();
        if (results.isEmpty()) {
            return "no results\n";
        }
        ReplayResult first = results.get(0);
        sb.append(String.format(Locale.ROOT, "Timed replay: %s on %d nodes, %d pods, %d gangs, %.1f virtual hours%n",
                first.workload(), first.nodes(), first.pods(), first.gangs(), first.virtualSeconds() / 3600));
        String header = String.format(Locale.ROOT, "%-14s %9s %9s %11s %11s %11s %11s %11s %10s %12s %8s",
                "policy", "placed", "never ran", "delay p50 s", "delay p99 s", "gang p99 s", "JCT p50 s", "GPU % (arr)",
                "preempted", "events/s", "wall s");
        sb.append(header).append('\n').append("-".repeat(header.length())).append('\n');
        for (ReplayResult r : results) {
            sb.append(String.format(Locale.ROOT, "%-14s %9d %9d %11.1f %11.1f %11.1f %11.1f %11.2f %10d %12.0f %8.2f%n",
                    r.policy(), r.placedPods(), r.neverRan(), r.queueingDelay().p50(), r.queueingDelay().p99(),
                    r.gangWait().p99(), r.jobCompletion().p50(), r.arrivalWindowAllocatedPct(), r.preemptions(), r.eventsPerSecond(),
                    r.wallSeconds()));
            if (!r.lastError().isEmpty()) {
                sb.append("  last error: ").append(r.lastError()).append('\n');
            }
        }
        sb.append("delay = arrival to first bind; gang = arrival to the last member's bind; JCT = arrival to the last pod's end;\n")
          .append("GPU % (arr) = mean allocated GPU share while pods were arriving.\n");
        return sb.toString();
    }
}
