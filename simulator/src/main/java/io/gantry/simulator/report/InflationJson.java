package io.gantry.simulator.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gantry.simulator.inflation.InflationSummary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON summary of an inflation experiment. Field names are a contract other tools read:
 * {@code protocol, workload, nodes, gpus, seeds, inflate_to, policies[].policy, allocated_gpu_pct_at
 * (keys "0".."130"), allocated_gpu_pct_min_at, allocated_gpu_pct_max_at, curve ([[arrived_pct,
 * allocated_pct_mean], ...]), fragmented_gpu_pct_at, fragmentation_rate_pct_at, failed_pods_mean,
 * arrivals_mean, final_allocated_gpu_pct_mean, wall_seconds}. Numbers are rounded to 4 decimals so the
 * same run gives the same bytes.
 */
public final class InflationJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InflationJson() {
    }

    public static Map<String, Object> toTree(InflationSummary summary) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("protocol", "inflation");
        root.put("workload", summary.workload());
        root.put("nodes", summary.nodes());
        root.put("gpus", summary.gpus());
        root.put("seeds", summary.seeds());
        root.put("inflate_to", summary.inflateTo());
        List<Object> policies = new ArrayList<>();
        for (InflationSummary.PolicySummary p : summary.policies()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("policy", p.policy());
            node.put("allocated_gpu_pct_at", byPercent(p.allocatedPct()));
            node.put("allocated_gpu_pct_min_at", byPercent(p.allocatedPctMin()));
            node.put("allocated_gpu_pct_max_at", byPercent(p.allocatedPctMax()));
            List<List<Object>> curve = new ArrayList<>();
            for (int k = 0; k < p.allocatedPct().length; k++) {
                if (!Double.isNaN(p.allocatedPct()[k])) {
                    curve.add(List.of(k, round(p.allocatedPct()[k])));
                }
            }
            node.put("curve", curve);
            node.put("fragmented_gpu_pct_at", byPercent(p.fragmentedPct()));
            node.put("fragmentation_rate_pct_at", byPercent(p.fragmentationRate()));
            node.put("failed_pods_mean", round(p.failedPodsMean()));
            node.put("arrivals_mean", round(p.arrivalsMean()));
            node.put("final_allocated_gpu_pct_mean", round(p.finalAllocatedPct()));
            node.put("wall_seconds", round(p.wallSeconds()));
            policies.add(node);
        }
        root.put("policies", policies);
        return root;
    }

    public static String render(InflationSummary summary) throws IOException {
        return MAPPER.writeValueAsString(toTree(summary));
    }

    public static void write(InflationSummary summary, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, render(summary) + System.lineSeparator());
    }

    private static Map<String, Object> byPercent(double[] values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int k = 0; k < values.length; k++) {
            if (!Double.isNaN(values[k])) {
                out.put(Integer.toString(k), round(values[k]));
            }
        }
        return out;
    }

    static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }
}
