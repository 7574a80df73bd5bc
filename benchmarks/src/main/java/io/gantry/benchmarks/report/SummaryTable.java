package io.gantry.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a Markdown summary of a JMH JSON result file: per benchmark and parameters the score, error
 * and unit, and the speed-up over each baseline of the same class with the same parameters (and the same
 * thread count digits in the name, so {@code mpsc2} is compared with {@code abq2Baseline}).
 *
 * <p>Where a benchmark records an {@code events} counter (intake, replay), that counter is the score:
 * the primary score of those suites counts calls, not events. {@code gc.alloc.rate.norm} is listed when
 * the run used {@code -prof gc}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.gantry.benchmarks.report.SummaryTable results.json summary.md [title]}
 */
public final class SummaryTable {
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    record Row(String className, String method, Map<String, String> params, String mode, double score, double error,
               String unit, Double allocBytesPerOp) {
        boolean isBaseline() {
            return method.endsWith("Baseline");
        }

        String digits() {
            Matcher m = DIGITS.matcher(method);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                sb.append(m.group()).append(',');
            }
            return sb.toString();
        }

        boolean higherIsBetter() {
            return mode.equals("thrpt");
        }

        String paramText() {
            if (params.isEmpty()) {
                return "";
            }
            List<String> parts = new ArrayList<>();
            params.forEach((k, v) -> parts.add(k + "=" + v));
            return String.join(" ", parts);
        }
    }

    private SummaryTable() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SummaryTable <jmh-result.json> <summary.md> [title]");
            System.exit(2);
        }
        List<Row> rows = read(Path.of(args[0]));
        String title = args.length > 2 ? args[2] : "Benchmark summary";
        String markdown = render(rows, title);
        Files.writeString(Path.of(args[1]), markdown);
        System.out.print(markdown);
    }

    static List<Row> read(Path json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        List<Row> rows = new ArrayList<>();
        for (JsonNode b : root) {
            String full = b.get("benchmark").asText();
            int dot = full.lastIndexOf('.');
            String className = full.substring(0, dot);
            className = className.substring(className.lastIndexOf('.') + 1);
            Map<String, String> params = new TreeMap<>();
            JsonNode p = b.get("params");
            if (p != null) {
                for (Map.Entry<String, JsonNode> e : p.properties()) {
                    params.put(e.getKey(), e.getValue().asText());
                }
            }
            JsonNode metric = b.get("primaryMetric");
            JsonNode secondary = b.get("secondaryMetrics");
            String unit = metric.get("scoreUnit").asText();
            if (secondary != null && secondary.has("events")) {
                metric = secondary.get("events");
                unit = "events/s";
            }
            Double alloc = null;
            if (secondary != null && secondary.has("gc.alloc.rate.norm")) {
                alloc = secondary.get("gc.alloc.rate.norm").get("score").asDouble();
            }
            rows.add(new Row(className, full.substring(dot + 1), params, b.get("mode").asText(),
                    metric.get("score").asDouble(), errorOf(metric), unit, alloc));
        }
        return rows;
    }

    private static double errorOf(JsonNode metric) {
        JsonNode error = metric.get("scoreError");
        return error == null || !error.isNumber() ? Double.NaN : error.asDouble();
    }

    static String render(List<Row> rows, String title) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append("Ratio = speed-up over the baseline of the same suite and parameters (higher is better for the benchmark).\n\n");
        Map<String, List<Row>> byClass = new LinkedHashMap<>();
        for (Row r : rows) {
            byClass.computeIfAbsent(r.className(), k -> new ArrayList<>()).add(r);
        }
        boolean anyAlloc = rows.stream().anyMatch(r -> r.allocBytesPerOp() != null);
        md.append("| Benchmark | Params | Score | Error | Unit | Ratio to baseline |");
        md.append(anyAlloc ? " Alloc B/op |\n" : "\n");
        md.append("|---|---|---:|---:|---|---|");
        md.append(anyAlloc ? "---:|\n" : "\n");
        for (Map.Entry<String, List<Row>> e : byClass.entrySet()) {
            for (Row r : e.getValue()) {
                md.append("| ").append(r.className()).append('.').append(r.method())
                        .append(" | ").append(r.paramText())
                        .append(" | ").append(number(r.score()))
                        .append(" | ").append(Double.isNaN(r.error()) ? "" : "± " + number(r.error()))
                        .append(" | ").append(r.unit())
                        .append(" | ").append(r.isBaseline() ? "(baseline)" : ratios(r, e.getValue()))
                        .append(" |");
                if (anyAlloc) {
                    md.append(' ').append(r.allocBytesPerOp() == null ? "" : number(r.allocBytesPerOp())).append(" |");
                }
                md.append('\n');
            }
        }
        return md.toString();
    }

    private static String ratios(Row r, List<Row> sameClass) {
        List<String> out = new ArrayList<>();
        for (Row b : sameClass) {
            if (b.isBaseline() && b.params().equals(r.params()) && b.digits().equals(r.digits()) && b.mode().equals(r.mode())
                    && b.unit().equals(r.unit()) && b.score() > 0 && r.score() > 0) {
                double ratio = r.higherIsBetter() ? r.score() / b.score() : b.score() / r.score();
                out.add(String.format(Locale.ROOT, "%.2fx vs %s", ratio, b.method()));
            }
        }
        return out.isEmpty() ? "—" : String.join("; ", out);
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
