package io.gantry.plugin.snapshot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The what-if outcome as a console table and as JSON ({@code {"decisions":[...],"evictions":[...]}}). */
public final class WhatIfReport {
    private WhatIfReport() {
    }

    public static void print(WhatIf.Result result, PrintWriter out) {
        long placed = result.decisions().stream().filter(d -> d.node() != null).count();
        out.printf("snapshot: %d nodes, %d bound pods, %d pending Gantry pods: %d would be placed, %d would wait, %d evictions%n",
                result.nodes(), result.boundPods(), result.decisions().size(), placed, result.decisions().size() - placed,
                result.evictions().size());
        // columns as wide as their widest cell, so long pod and node names and 8-GPU lists stay aligned
        int podWidth = "POD".length();
        int nodeWidth = "NODE".length();
        int gpuWidth = "GPUS".length();
        for (WhatIf.Decision d : result.decisions()) {
            podWidth = Math.max(podWidth, d.namespace().length() + d.name().length() + 1);
            nodeWidth = Math.max(nodeWidth, nodeCell(d).length());
            gpuWidth = Math.max(gpuWidth, gpuCell(d).length());
        }
        String row = "%-" + podWidth + "s  %-" + nodeWidth + "s  %-" + gpuWidth + "s  %s%n";
        out.printf(row, "POD", "NODE", "GPUS", "REASON");
        for (WhatIf.Decision d : result.decisions()) {
            out.printf(row, d.namespace() + "/" + d.name(), nodeCell(d), gpuCell(d), d.reason());
        }
        for (WhatIf.Eviction e : result.evictions()) {
            out.printf("evict %s/%s: %s%n", e.namespace(), e.name(), e.reason());
        }
        out.flush();
    }

    private static String nodeCell(WhatIf.Decision d) {
        return d.node() == null ? "-" : d.node();
    }

    private static String gpuCell(WhatIf.Decision d) {
        return d.gpus().isEmpty() ? "-" : d.gpus().toString().replace(" ", "");
    }

    public static void writeJson(WhatIf.Result result, Path file) throws IOException {
        List<Map<String, Object>> decisions = new ArrayList<>();
        for (WhatIf.Decision d : result.decisions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", d.namespace());
            m.put("name", d.name());
            m.put("node", d.node());
            m.put("gpus", d.gpus());
            m.put("reason", d.reason());
            decisions.add(m);
        }
        List<Map<String, Object>> evictions = new ArrayList<>();
        for (WhatIf.Eviction e : result.evictions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", e.namespace());
            m.put("name", e.name());
            m.put("reason", e.reason());
            evictions.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("decisions", decisions);
        root.put("evictions", evictions);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), root);
    }
}
