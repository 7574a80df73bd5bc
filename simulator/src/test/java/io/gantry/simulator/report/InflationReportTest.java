package io.gantry.simulator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.simulator.inflation.InflationSummary;
import io.gantry.simulator.inflation.InflationSummary.PolicySummary;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report and the JSON summary, on a small hand-built summary with known numbers. */
class InflationReportTest {

    private static final double NaN = Double.NaN;
    private static final List<String> PNGS =
            List.of("allocation.png", "fragmentation.png", "fragmentation-rate.png", "allocation-bar.png");
    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** fgd: every bucket filled. bestfit: bucket 3 empty (NaN everywhere), values needing rounding at 10. */
    static InflationSummary summary(String workload) {
        PolicySummary fgd = new PolicySummary("fgd",
                new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9.875},
                new double[] {0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5},
                new double[] {0, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.25},
                new double[] {0, 0, 0.125, 0.25, 0.25, 0.5, 0.5, 0.75, 1, 1.125, 1.25},
                new double[] {0, 0, 0.25, 0.5, 0.5, 1, 1, 1.5, 2, 2.5, 3.123456},
                1.5, 40, 9.75, 1.23456);
        PolicySummary bestfit = new PolicySummary("bestfit",
                new double[] {0, 0.75, 1.5, NaN, 3, 3.75, 4.5, 5.25, 6, 6.75, 7.333333},
                new double[] {0, 0.5, 1.25, NaN, 2.75, 3.5, 4.25, 5, 5.75, 6.5, 7},
                new double[] {0, 1, 1.75, NaN, 3.25, 4, 4.75, 5.5, 6.25, 7, 7.666666},
                new double[] {0, 0.25, 0.5, NaN, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5},
                new double[] {0, 0.5, 1, NaN, 2, 2.5, 3, 3.5, 4, 4.5, 5},
                2, 41, 7.25, 0.5);
        return new InflationSummary(workload, 4, 8, 2, 0.1, 10, List.of(fgd, bestfit));
    }

    @Test
    void writesEveryFile(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("nested/report");
        InflationReport.write(summary("tiny"), dir);
        for (String f : List.of("index.html", "curves.csv", "summary.json", "allocation.png", "fragmentation.png",
                "fragmentation-rate.png", "allocation-bar.png")) {
            assertThat(dir.resolve(f)).isRegularFile();
            assertThat(Files.size(dir.resolve(f))).as(f).isPositive();
        }
    }

    @Test
    void chartsAreValidPngsOfTheFixedSize(@TempDir Path dir) throws IOException {
        InflationReport.write(summary("tiny"), dir);
        for (String png : PNGS) {
            byte[] bytes = Files.readAllBytes(dir.resolve(png));
            assertThat(Arrays.copyOf(bytes, 8)).as(png).isEqualTo(PNG_MAGIC);
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertThat(image).as(png).isNotNull();
            assertThat(image.getWidth()).as(png).isEqualTo(900);
            assertThat(image.getHeight()).as(png).isEqualTo(540);
        }
    }

    @Test
    void sameSummaryGivesSameBytes(@TempDir Path tmp) throws IOException {
        InflationReport.write(summary("tiny"), tmp.resolve("a"));
        InflationReport.write(summary("tiny"), tmp.resolve("b"));
        for (String f : List.of("index.html", "curves.csv", "summary.json", "allocation.png", "fragmentation.png",
                "fragmentation-rate.png", "allocation-bar.png")) {
            assertThat(Files.readAllBytes(tmp.resolve("b").resolve(f))).as(f)
                    .isEqualTo(Files.readAllBytes(tmp.resolve("a").resolve(f)));
        }
    }

    @Test
    void targetAbove100GivesTwoBarSeriesAndAnAt100Column(@TempDir Path dir) throws IOException {
        int max = 120;
        double[] alloc = new double[max + 1];
        double[] frag = new double[max + 1];
        for (int k = 0; k <= max; k++) {
            alloc[k] = Math.min(k, 95) - 0.5 * (k % 2);
            frag[k] = k / 40.0;
        }
        PolicySummary p = new PolicySummary("random", alloc, alloc, alloc, frag, frag, 3, 100, 94.5, 2);
        PolicySummary q = new PolicySummary("spread", alloc, alloc, alloc, frag, frag, 4, 100, 94.5, 2);
        InflationReport.write(new InflationSummary("big", 10, 80, 1, 1.2, max, List.of(p, q)), dir);
        for (String png : PNGS) {
            BufferedImage image = ImageIO.read(dir.resolve(png).toFile());
            assertThat(image.getWidth()).isEqualTo(900);
        }
        String html = Files.readString(dir.resolve("index.html"));
        assertThat(html).contains("<th>alloc@100%</th>", "<th>alloc@120% (min-max)</th>", "<th>frag@120%</th>",
                "<td class=\"num\">95.00%</td><td class=\"num\">95.00% (95.00-95.00)</td><td class=\"num\">3.00%</td>");
        assertThat(Files.readAllLines(dir.resolve("curves.csv"))).hasSize(1 + 121 * 2);
    }

    @Test
    void curvesCsvHasTheHeaderOneRowPerBucketAndPolicyAndSkipsNaN(@TempDir Path dir) throws IOException {
        InflationReport.write(summary("tiny"), dir);
        List<String> lines = Files.readAllLines(dir.resolve("curves.csv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(
                "arrived_pct,policy,allocated_pct_mean,allocated_pct_min,allocated_pct_max,fragmented_pct,fragmentation_rate_pct");
        // 11 buckets x 2 policies, minus bestfit's empty bucket 3
        assertThat(lines).hasSize(1 + 21);
        assertThat(lines.get(1)).isEqualTo("0,fgd,0.0000,0.0000,0.0000,0.0000,0.0000");
        assertThat(lines.get(2)).isEqualTo("0,bestfit,0.0000,0.0000,0.0000,0.0000,0.0000");
        assertThat(lines.get(7)).isEqualTo("3,fgd,3.0000,2.5000,3.5000,0.2500,0.5000");
        assertThat(lines.get(8)).isEqualTo("4,fgd,4.0000,3.5000,4.5000,0.2500,0.5000");
        assertThat(lines).noneMatch(l -> l.startsWith("3,bestfit"));
        assertThat(lines).noneMatch(l -> l.contains("NaN"));
        assertThat(lines.get(20)).isEqualTo("10,fgd,9.8750,9.5000,10.2500,1.2500,3.1235");
        assertThat(lines.get(21)).isEqualTo("10,bestfit,7.3333,7.0000,7.6667,2.5000,5.0000");
    }

    @Test
    void indexHtmlHasTheTableChartsAndLinks(@TempDir Path dir) throws IOException {
        InflationReport.write(summary("tiny"), dir);
        String html = Files.readString(dir.resolve("index.html"), StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<title>Gantry inflation report: tiny</title>")
                .contains("FGD paper", "inflation protocol", "each arrived-% bucket, then over seeds");
        assertThat(html).contains("<th>policy</th><th>alloc@10%</th><th>alloc@10% (min-max)</th><th>frag@10%</th>"
                + "<th>final alloc</th><th>failed pods (mean)</th><th>wall s</th>");
        assertThat(html).contains("<tr><td>fgd</td><td class=\"num\">9.88%</td><td class=\"num\">9.88% (9.50-10.25)</td>"
                + "<td class=\"num\">1.25%</td><td class=\"num\">9.75%</td><td class=\"num\">1.5</td>"
                + "<td class=\"num\">1.23</td></tr>");
        assertThat(html).contains("<tr><td>bestfit</td><td class=\"num\">7.33%</td><td class=\"num\">7.33% (7.00-7.67)</td>"
                + "<td class=\"num\">2.50%</td><td class=\"num\">7.25%</td><td class=\"num\">2.0</td>"
                + "<td class=\"num\">0.50</td></tr>");
        for (String png : PNGS) {
            assertThat(html).contains("<img src=\"" + png + "\"");
        }
        assertThat(html).contains("<a href=\"curves.csv\">", "<a href=\"summary.json\">");
        // self-contained: nothing fetched from anywhere
        assertThat(html).doesNotContain("http:", "https:", "<script", "<link", "@import", "//");
    }

    @Test
    void workloadNameIsEscapedInHtml(@TempDir Path dir) throws IOException {
        InflationReport.write(summary("a<b>&\"c\""), dir);
        String html = Files.readString(dir.resolve("index.html"), StandardCharsets.UTF_8);
        assertThat(html).contains("<title>Gantry inflation report: a&lt;b&gt;&amp;&quot;c&quot;</title>")
                .contains("<h1>Gantry inflation report: a&lt;b&gt;&amp;&quot;c&quot;</h1>")
                .doesNotContain("a<b>", "&\"c");
        assertThat(InflationReport.escape("x'y")).isEqualTo("x&#39;y");
    }

    @Test
    void inflationJsonHasTheContractFields(@TempDir Path dir) throws IOException {
        InflationSummary summary = summary("tiny");
        JsonNode root = new ObjectMapper().readTree(InflationJson.render(summary));
        assertThat(root.get("protocol").asText()).isEqualTo("inflation");
        assertThat(root.get("workload").asText()).isEqualTo("tiny");
        assertThat(root.get("nodes").asInt()).isEqualTo(4);
        assertThat(root.get("gpus").asInt()).isEqualTo(8);
        assertThat(root.get("seeds").asInt()).isEqualTo(2);
        assertThat(root.get("inflate_to").asDouble()).isEqualTo(0.1);
        JsonNode policies = root.get("policies");
        assertThat(policies.size()).isEqualTo(2);
        assertThat(policies.get(0).get("policy").asText()).isEqualTo("fgd");
        assertThat(policies.get(1).get("policy").asText()).isEqualTo("bestfit");

        JsonNode fgd = policies.get(0);
        JsonNode at = fgd.get("allocated_gpu_pct_at");
        List<String> keys = new ArrayList<>();
        at.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        for (int k = 0; k <= 10; k++) {
            assertThat(at.get(Integer.toString(k)).asDouble()).isEqualTo(summary.policies().get(0).allocatedPct()[k]);
        }
        JsonNode curve = fgd.get("curve");
        assertThat(curve.isArray()).isTrue();
        assertThat(curve.size()).isEqualTo(11);
        for (int k = 0; k <= 10; k++) {
            assertThat(curve.get(k).size()).isEqualTo(2);
            assertThat(curve.get(k).get(0).isInt()).isTrue();
            assertThat(curve.get(k).get(0).asInt()).isEqualTo(k);
        }
        assertThat(curve.get(10).get(1).asDouble()).isEqualTo(9.875);
        assertThat(fgd.get("fragmented_gpu_pct_at").get("10").asDouble()).isEqualTo(1.25);
        assertThat(fgd.get("fragmentation_rate_pct_at").get("10").asDouble()).isEqualTo(3.1235);
        assertThat(fgd.get("allocated_gpu_pct_min_at").get("10").asDouble()).isEqualTo(9.5);
        assertThat(fgd.get("allocated_gpu_pct_max_at").get("10").asDouble()).isEqualTo(10.25);
        assertThat(fgd.get("failed_pods_mean").asDouble()).isEqualTo(1.5);
        assertThat(fgd.get("arrivals_mean").asDouble()).isEqualTo(40.0);
        assertThat(fgd.get("final_allocated_gpu_pct_mean").asDouble()).isEqualTo(9.75);
        assertThat(fgd.get("wall_seconds").asDouble()).isEqualTo(1.2346);

        JsonNode bestfit = policies.get(1);
        List<String> bestfitKeys = new ArrayList<>();
        bestfit.get("allocated_gpu_pct_at").fieldNames().forEachRemaining(bestfitKeys::add);
        assertThat(bestfitKeys).containsExactly("0", "1", "2", "4", "5", "6", "7", "8", "9", "10");
        assertThat(bestfit.get("allocated_gpu_pct_at").get("10").asDouble()).isEqualTo(7.3333);
        assertThat(bestfit.get("allocated_gpu_pct_max_at").get("10").asDouble()).isEqualTo(7.6667);
        assertThat(bestfit.get("curve").size()).isEqualTo(10);
        assertThat(bestfit.get("curve").get(3).get(0).asInt()).isEqualTo(4);
        assertThat(bestfit.get("curve").get(3).get(1).asDouble()).isEqualTo(3.0);
        assertThat(bestfit.get("fragmented_gpu_pct_at").has("3")).isFalse();
        assertThat(bestfit.get("failed_pods_mean").asDouble()).isEqualTo(2.0);
        assertThat(bestfit.get("wall_seconds").asDouble()).isEqualTo(0.5);

        // the report's summary.json is the same document
        InflationReport.write(summary, dir);
        assertThat(new ObjectMapper().readTree(dir.resolve("summary.json").toFile())).isEqualTo(root);
    }
}
