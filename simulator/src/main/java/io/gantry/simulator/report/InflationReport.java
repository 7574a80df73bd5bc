package io.gantry.simulator.report;

import io.gantry.simulator.inflation.InflationSummary;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The HTML report of an inflation experiment: a self-contained {@code index.html} (no external CSS,
 * scripts or network) with the per-policy table, four PNG charts, the CSV series behind them
 * ({@code curves.csv}) and the JSON summary ({@code summary.json}, see {@link InflationJson}).
 *
 * <p>Charts render headless at fixed sizes, with one fixed colour per policy position, so the same
 * summary gives the same files.
 */
public final class InflationReport {
    /** Chart size in pixels. */
    public static final int WIDTH = 900;
    public static final int HEIGHT = 540;

    public static final String CSV_HEADER =
            "arrived_pct,policy,allocated_pct_mean,allocated_pct_min,allocated_pct_max,fragmented_pct,fragmentation_rate_pct";

    /** Tableau 10: policy i gets colour i (mod 10). */
    private static final Color[] PALETTE = {
            new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
            new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC),
    };
    private static final Color IDEAL = new Color(0x555555);

    private static final String ARRIVED_AXIS = "Arrived GPU demand (% of GPU capacity)";

    private InflationReport() {
    }

    /** Creates {@code dir} and writes index.html, the four PNGs, curves.csv and summary.json into it. */
    public static void write(InflationSummary summary, Path dir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(dir);
        save(allocationChart(summary), dir.resolve("allocation.png"));
        save(curveChart(summary, "Fragmented GPUs", "Fragmented GPUs (% of GPU capacity)",
                InflationSummary.PolicySummary::fragmentedPct), dir.resolve("fragmentation.png"));
        save(curveChart(summary, "Fragmentation rate", "Fragmentation rate (% of idle GPUs)",
                InflationSummary.PolicySummary::fragmentationRate), dir.resolve("fragmentation-rate.png"));
        save(barChart(summary), dir.resolve("allocation-bar.png"));
        Files.writeString(dir.resolve("curves.csv"), csv(summary), StandardCharsets.UTF_8);
        InflationJson.write(summary, dir.resolve("summary.json"));
        Files.writeString(dir.resolve("index.html"), html(summary), StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- charts

    static XYChart allocationChart(InflationSummary s) {
        XYChart chart = xyChart(s, "Allocated GPUs", "Allocated GPUs (% of GPU capacity)");
        addCurves(chart, s, InflationSummary.PolicySummary::allocatedPct);
        int idealTo = Math.min(100, s.maxPercent());
        XYSeries ideal = chart.addSeries("ideal (y = x)", new double[] {0, idealTo}, new double[] {0, idealTo});
        ideal.setMarker(SeriesMarkers.NONE);
        ideal.setLineColor(IDEAL);
        ideal.setLineStyle(SeriesLines.DASH_DASH);
        return chart;
    }

    static XYChart curveChart(InflationSummary s, String what, String yAxis,
                              Function<InflationSummary.PolicySummary, double[]> values) {
        XYChart chart = xyChart(s, what, yAxis);
        addCurves(chart, s, values);
        return chart;
    }

    private static XYChart xyChart(InflationSummary s, String what, String yAxis) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(what + " vs arrived demand: " + scope(s))
                .xAxisTitle(ARRIVED_AXIS).yAxisTitle(yAxis).build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS); // never covers a curve
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) s.maxPercent()).setYAxisMin(0.0);
        chart.getStyler().setXAxisDecimalPattern("0").setYAxisDecimalPattern("0.#");
        return chart;
    }

    private static void addCurves(XYChart chart, InflationSummary s,
                                  Function<InflationSummary.PolicySummary, double[]> values) {
        List<InflationSummary.PolicySummary> policies = s.policies();
        for (int i = 0; i < policies.size(); i++) {
            double[] v = values.apply(policies.get(i));
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int k = 0; k < v.length; k++) {
                if (Double.isFinite(v[k])) {
                    xs.add((double) k);
                    ys.add(v[k]);
                }
            }
            if (xs.isEmpty()) {
                continue; // XChart rejects empty series; the policy still appears in the table and CSV
            }
            XYSeries series = chart.addSeries(policies.get(i).policy(), xs, ys);
            series.setMarker(SeriesMarkers.NONE);
            series.setLineColor(color(i));
            series.setLineWidth(2f);
        }
    }

    static CategoryChart barChart(InflationSummary s) {
        int target = s.maxPercent();
        int at100 = Math.min(100, target);
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Allocated GPUs by policy: " + scope(s))
                .xAxisTitle("Policy").yAxisTitle("Allocated GPUs (% of GPU capacity)").build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.0).setYAxisDecimalPattern("0.0"); // also the bar labels' pattern
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFontColor(Color.BLACK);
        chart.getStyler().setLabelsPosition(1.0);
        chart.getStyler().setLabelsRotation(0);
        List<String> names = new ArrayList<>();
        for (InflationSummary.PolicySummary p : s.policies()) {
            names.add(p.policy());
        }
        List<Integer> percents = at100 == target ? List.of(target) : List.of(at100, target);
        for (int j = 0; j < percents.size(); j++) {
            int k = percents.get(j);
            List<Double> ys = new ArrayList<>();
            for (InflationSummary.PolicySummary p : s.policies()) {
                double v = p.allocatedAt(k);
                ys.add(Double.isFinite(v) ? v : 0.0); // a missing bucket shows as an empty bar; the table says n/a
            }
            chart.addSeries("at " + k + "% arrived", names, ys).setFillColor(color(j));
        }
        return chart;
    }

    static void style(Chart<?, ?> chart) {
        Styler st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderVisible(true);
        st.setLegendBorderColor(Color.LIGHT_GRAY);
        st.setSeriesColors(PALETTE);
        st.setAntiAlias(true);
    }

    private static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    private static String scope(InflationSummary s) {
        return String.format(Locale.ROOT, "%s, %d nodes / %d GPUs, %d seed%s",
                s.workload(), s.nodes(), s.gpus(), s.seeds(), s.seeds() == 1 ? "" : "s");
    }

    static void save(Chart<?, ?> chart, Path file) throws IOException {
        // The OutputStream overload writes exactly this file (the String one appends ".png" when missing).
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG);
        }
    }

    // ---------------------------------------------------------------- CSV

    /**
     * One row per (arrived %, policy), k ascending then policies in order. Rows whose mean allocation
     * is NaN (an empty bucket) are skipped; any other NaN value is left as an empty field.
     */
    static String csv(InflationSummary s) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (int k = 0; k <= s.maxPercent(); k++) {
            for (InflationSummary.PolicySummary p : s.policies()) {
                if (k >= p.allocatedPct().length || Double.isNaN(p.allocatedPct()[k])) {
                    continue;
                }
                sb.append(k).append(',').append(csvField(p.policy()));
                for (double[] column : List.of(p.allocatedPct(), p.allocatedPctMin(), p.allocatedPctMax(),
                        p.fragmentedPct(), p.fragmentationRate())) {
                    sb.append(',');
                    if (k < column.length && Double.isFinite(column[k])) {
                        sb.append(String.format(Locale.ROOT, "%.4f", column[k]));
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String csvField(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    // ---------------------------------------------------------------- HTML

    static String html(InflationSummary s) {
        int target = s.maxPercent();
        int at100 = Math.min(100, target);
        String title = "Gantry inflation report: " + s.workload();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .append("<title>").append(escape(title)).append("</title>\n")
         .append("<style>\n")
         .append("body{font-family:sans-serif;margin:2em auto;max-width:960px;color:#222;line-height:1.4}\n")
         .append("table{border-collapse:collapse;margin:1em 0}\n")
         .append("th,td{border:1px solid #ccc;padding:4px 10px}\n")
         .append("th{background:#f2f2f2}\n")
         .append("td.num{text-align:right;font-variant-numeric:tabular-nums}\n")
         .append("img{display:block;max-width:100%;height:auto;margin:1em 0;border:1px solid #eee}\n")
         .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(escape(title)).append("</h1>\n");
        h.append("<p>").append(escape(String.format(Locale.ROOT,
                "Workload %s: %d nodes, %d GPUs; %d seed(s) per policy; demand inflated to %d%% of GPU capacity.",
                s.workload(), s.nodes(), s.gpus(), s.seeds(), target))).append("</p>\n");
        h.append("<p>This is the inflation protocol of the FGD paper (Weng et al., &ldquo;Beware of Fragmentation: ")
         .append("Scheduling GPU-Sharing Workloads with Fragmentation Gradient Descent&rdquo;, USENIX ATC 2023): ")
         .append("pods sampled from the workload arrive one at a time at an empty cluster until the arrived GPU demand ")
         .append("reaches the target; nothing is ever deleted, and a pod that does not fit is dropped and counted as failed. ")
         .append("<em>alloc</em> is the allocated GPU capacity as a % of the cluster&rsquo;s, averaged over the events ")
         .append("in each arrived-% bucket, then over seeds (min&ndash;max across seeds in brackets); ")
         .append("<em>frag</em> is the fragmented GPU capacity (FGD&rsquo;s measure) as a % of capacity.</p>\n");

        h.append("<table>\n<thead><tr>");
        for (String col : List.of("policy", "alloc@" + at100 + "%", "alloc@" + target + "% (min-max)",
                "frag@" + target + "%", "final alloc", "failed pods (mean)", "wall s")) {
            h.append("<th>").append(escape(col)).append("</th>");
        }
        h.append("</tr></thead>\n<tbody>\n");
        for (InflationSummary.PolicySummary p : s.policies()) {
            h.append("<tr><td>").append(escape(p.policy())).append("</td>")
             .append(cell(pct(p.allocatedAt(at100))))
             .append(cell(pct(p.allocatedAt(target)) + " (" + num(p.allocatedPctMin()[target], 2) + "-"
                     + num(p.allocatedPctMax()[target], 2) + ")"))
             .append(cell(pct(p.fragmentedPct()[target])))
             .append(cell(pct(p.finalAllocatedPct())))
             .append(cell(num(p.failedPodsMean(), 1)))
             .append(cell(num(p.wallSeconds(), 2)))
             .append("</tr>\n");
        }
        h.append("</tbody>\n</table>\n");

        image(h, "allocation.png", "Allocated GPU % vs arrived GPU demand %, one line per policy, with the ideal y = x");
        image(h, "fragmentation.png", "Fragmented GPU % of capacity vs arrived GPU demand %, one line per policy");
        image(h, "fragmentation-rate.png", "Fragmentation rate (% of idle GPUs) vs arrived GPU demand %, one line per policy");
        image(h, "allocation-bar.png", "Allocated GPU % per policy at "
                + (at100 == target ? "" : at100 + "% and ") + target + "% arrived");

        h.append("<p>Data: <a href=\"curves.csv\">curves.csv</a> (the series behind the charts, one row per arrived % and policy) &middot; ")
         .append("<a href=\"summary.json\">summary.json</a> (the JSON summary).</p>\n");
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    static void image(StringBuilder h, String file, String alt) {
        h.append("<img src=\"").append(file).append("\" alt=\"").append(escape(alt))
         .append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\">\n");
    }

    private static String cell(String text) {
        return "<td class=\"num\">" + escape(text) + "</td>";
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f%%", v) : "n/a";
    }

    private static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "n/a";
    }

    /** Escapes text for HTML element content and double- or single-quoted attribute values. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
