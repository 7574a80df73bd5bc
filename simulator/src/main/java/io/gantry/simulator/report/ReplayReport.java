package io.gantry.simulator.report;

import io.gantry.simulator.replay.ReplayResult;
import io.gantry.simulator.replay.UtilizationSeries;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTML report of a timed replay: {@code index.html} with the per-policy table, GPU allocation
 * over time ({@code utilization.png}), queueing delay percentiles ({@code delay.png}), the series
 * behind them ({@code utilization.csv}) and {@code summary.json} (see {@link ReplayJson}).
 */
public final class ReplayReport {
    public static final String CSV_HEADER = "policy,time_s,allocated_gpu_pct,not_started_pods";

    private ReplayReport() {
    }

    public static void write(List<ReplayResult> results, Path dir) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(dir);
        InflationReport.save(utilizationChart(results), dir.resolve("utilization.png"));
        InflationReport.save(delayChart(results), dir.resolve("delay.png"));
        Files.writeString(dir.resolve("utilization.csv"), csv(results));
        ReplayJson.write(results, dir.resolve("summary.json"));
        Files.writeString(dir.resolve("index.html"), html(results));
    }

    static XYChart utilizationChart(List<ReplayResult> results) {
        XYChart chart = new XYChartBuilder().width(InflationReport.WIDTH).height(InflationReport.HEIGHT)
                .title("GPU allocation over time: " + results.get(0).workload())
                .xAxisTitle("Virtual time (hours)").yAxisTitle("Allocated GPUs (% of capacity)").build();
        InflationReport.style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        for (ReplayResult r : results) {
            UtilizationSeries u = r.utilization();
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < u.size(); i++) {
                x.add(u.timeSeconds(i) / 3600);
                y.add(u.allocatedPct(i));
            }
            if (x.isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(r.policy(), x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    static CategoryChart delayChart(List<ReplayResult> results) {
        CategoryChart chart = new CategoryChartBuilder().width(InflationReport.WIDTH).height(InflationReport.HEIGHT)
                .title("Queueing delay (arrival to first bind)").xAxisTitle("Policy").yAxisTitle("Seconds").build();
        InflationReport.style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        List<String> names = results.stream().map(ReplayResult::policy).toList();
        chart.addSeries("p50", names, results.stream().map(r -> r.queueingDelay().p50()).toList());
        chart.addSeries("p90", names, results.stream().map(r -> r.queueingDelay().p90()).toList());
        chart.addSeries("p99", names, results.stream().map(r -> r.queueingDelay().p99()).toList());
        return chart;
    }

    static String csv(List<ReplayResult> results) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (ReplayResult r : results) {
            UtilizationSeries u = r.utilization();
            for (int i = 0; i < u.size(); i++) {
                sb.append(r.policy()).append(',').append(String.format(Locale.ROOT, "%.1f,%.4f,%d", u.timeSeconds(i),
                        u.allocatedPct(i), u.notStarted(i))).append('\n');
            }
        }
        return sb.toString();
    }

    static String html(List<ReplayResult> results) {
        ReplayResult first = results.get(0);
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Gantry timed replay</title>\n")
         .append("<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}")
         .append("td,th{border:1px solid #ccc;padding:4px 8px}td.num{text-align:right}</style>\n</head>\n<body>\n")
         .append("<h1>Timed replay: ").append(InflationReport.escape(first.workload())).append("</h1>\n")
         .append(String.format(Locale.ROOT, "<p>%d nodes, %d pods, %d gangs, %.1f virtual hours. Pods arrive at their "
                 + "creation time and run for their trace duration once bound; pods that do not fit wait in the "
                 + "scheduler's pending queue. Delay is arrival to first bind; gang wait is arrival to the last "
                 + "member's bind; JCT is arrival to the end of the job's last pod.</p>\n",
                 first.nodes(), first.pods(), first.gangs(), first.virtualSeconds() / 3600))
         .append("<table>\n<tr><th>policy</th><th>placed</th><th>never ran</th><th>delay p50 s</th><th>delay p99 s</th>")
         .append("<th>gang wait p99 s</th><th>JCT p50 s</th><th>GPU % while arriving</th><th>preemptions</th><th>wall s</th></tr>\n");
        for (ReplayResult r : results) {
            h.append("<tr><td>").append(InflationReport.escape(r.policy())).append("</td>")
             .append(cell(Integer.toString(r.placedPods()))).append(cell(Integer.toString(r.neverRan())))
             .append(cell(fmt(r.queueingDelay().p50()))).append(cell(fmt(r.queueingDelay().p99())))
             .append(cell(fmt(r.gangWait().p99()))).append(cell(fmt(r.jobCompletion().p50())))
             .append(cell(fmt(r.arrivalWindowAllocatedPct()))).append(cell(Integer.toString(r.preemptions())))
             .append(cell(fmt(r.wallSeconds()))).append("</tr>\n");
        }
        h.append("</table>\n");
        InflationReport.image(h, "utilization.png", "GPU allocation over time per policy");
        InflationReport.image(h, "delay.png", "Queueing delay percentiles per policy");
        h.append("<p><a href=\"utilization.csv\">utilization.csv</a> · <a href=\"summary.json\">summary.json</a></p>\n")
         .append("</body>\n</html>\n");
        return h.toString();
    }

    private static String cell(String text) {
        return "<td class=\"num\">" + InflationReport.escape(text) + "</td>";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
