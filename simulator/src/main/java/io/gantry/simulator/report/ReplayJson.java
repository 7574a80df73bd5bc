package io.gantry.simulator.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gantry.simulator.replay.ReplayResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON summary of a timed replay: {@code protocol: "replay", workload, nodes, pods, gangs,
 * policies[]: {policy, placed_pods, never_ran, preemptions, queueing_delay_s, gang_wait_s, jct_s (each
 * {count, mean, p50, p90, p99, max}), mean_allocated_gpu_pct, arrival_window_allocated_gpu_pct, peak_allocated_gpu_pct, virtual_seconds,
 * events, events_per_second, wall_seconds, utilization: [[t_seconds, allocated_pct, not_started], ...]}}.
 */
public final class ReplayJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReplayJson() {
    }

    public static Map<String, Object> toTree(List<ReplayResult> results) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("protocol", "replay");
        ReplayResult first = results.get(0);
        root.put("workload", first.workload());
        root.put("nodes", first.nodes());
        root.put("pods", first.pods());
        root.put("gangs", first.gangs());
        List<Object> policies = new ArrayList<>();
        for (ReplayResult r : results) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("policy", r.policy());
            p.put("placed_pods", r.placedPods());
            p.put("never_ran", r.neverRan());
            p.put("preemptions", r.preemptions());
            p.put("queueing_delay_s", percentiles(r.queueingDelay()));
            p.put("gang_wait_s", percentiles(r.gangWait()));
            p.put("jct_s", percentiles(r.jobCompletion()));
            p.put("mean_allocated_gpu_pct", InflationJson.round(r.meanAllocatedPct()));
            p.put("arrival_window_allocated_gpu_pct", InflationJson.round(r.arrivalWindowAllocatedPct()));
            p.put("peak_allocated_gpu_pct", InflationJson.round(r.peakAllocatedPct()));
            p.put("virtual_seconds", InflationJson.round(r.virtualSeconds()));
            p.put("events", r.events());
            p.put("events_per_second", Math.round(r.eventsPerSecond()));
            p.put("wall_seconds", InflationJson.round(r.wallSeconds()));
            List<List<Object>> series = new ArrayList<>();
            for (int i = 0; i < r.utilization().size(); i++) {
                series.add(List.of(InflationJson.round(r.utilization().timeSeconds(i)),
                        InflationJson.round(r.utilization().allocatedPct(i)), r.utilization().notStarted(i)));
            }
            p.put("utilization", series);
            if (!r.lastError().isEmpty()) {
                p.put("last_error", r.lastError());
            }
            policies.add(p);
        }
        root.put("policies", policies);
        return root;
    }

    private static Map<String, Object> percentiles(ReplayResult.Percentiles p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", p.count());
        m.put("mean", InflationJson.round(p.mean()));
        m.put("p50", InflationJson.round(p.p50()));
        m.put("p90", InflationJson.round(p.p90()));
        m.put("p99", InflationJson.round(p.p99()));
        m.put("max", InflationJson.round(p.max()));
        return m;
    }

    public static void write(List<ReplayResult> results, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, MAPPER.writeValueAsString(toTree(results)) + System.lineSeparator());
    }
}
