package io.gantry.simulator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SimulateCommandTest {

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new SimulateCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void syntheticRunPrintsOneRowPerPolicyAndWritesJson(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("out.json");
        Run r = run("--synthetic-nodes", "30", "--synthetic-pods", "300", "--seeds", "1", "--policies", "bestfit,fgd",
                "--json", json.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("bestfit").contains("fgd").contains("alloc@130%");
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertThat(root.get("protocol").asText()).isEqualTo("inflation");
        assertThat(root.get("seeds").asInt()).isEqualTo(1);
        assertThat(root.get("policies")).hasSize(2);
        assertThat(root.get("policies").get(1).get("policy").asText()).isEqualTo("fgd");
        assertThat(root.get("policies").get(1).get("allocated_gpu_pct_at").has("130")).isTrue();
    }

    @Test
    void replayPrintsDelaysAndWritesJsonAndAReport(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("replay.json");
        Path report = dir.resolve("report");
        Run r = run("--protocol", "replay", "--synthetic-nodes", "30", "--synthetic-pods", "300", "--policies", "bestfit,fgd",
                "--json", json.toString(), "--report", report.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Timed replay").contains("delay p99 s").contains("fgd");
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        assertThat(root.get("protocol").asText()).isEqualTo("replay");
        assertThat(root.get("policies")).hasSize(2);
        assertThat(root.get("policies").get(0).get("queueing_delay_s").has("p99")).isTrue();
        assertThat(report.resolve("index.html")).exists();
        assertThat(report.resolve("utilization.png")).exists();
    }

    @Test
    void unknownPolicyIsBadUsage() {
        Run r = run("--policies", "fgd,tetris");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown policy \"tetris\"").contains("bestfit");
    }

    @Test
    void missingFileIsAFailedRunNamingThePath(@TempDir Path dir) {
        Run r = run("--nodes", dir.resolve("nodes.csv").toString(), "--pods", dir.resolve("pods.csv").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no such file").contains("nodes.csv");
    }

    @Test
    void nodesWithoutPodsIsBadUsage(@TempDir Path dir) {
        Run r = run("--nodes", dir.resolve("nodes.csv").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--nodes and --pods go together");
    }

    @Test
    void malformedTraceLineFailsNamingFileLineAndColumn(@TempDir Path dir) throws Exception {
        Path nodes = Files.writeString(dir.resolve("nodes.csv"), "sn,cpu_milli,memory_mib,gpu,model\nn0,64000,262144,2,V100M32\n");
        Path pods = Files.writeString(dir.resolve("pods.csv"), "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,1024,x,1000\n");
        Run strict = run("--nodes", nodes.toString(), "--pods", pods.toString(), "--seeds", "1");
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.err()).contains("pods.csv:2").contains("num_gpu");
        Files.writeString(pods, "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,1024,x,1000\np1,1000,1024,1,500\n");
        Run skipping = run("--nodes", nodes.toString(), "--pods", pods.toString(), "--seeds", "1", "--skip-bad-lines", "--policies", "fgd");
        assertThat(skipping.exit()).as(skipping.err()).isZero();
        assertThat(skipping.err()).contains("skipped 1 malformed line");
    }

    @Test
    void helpListsExamples() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Examples:").contains("--inflate-to").contains("--policies");
    }
}
