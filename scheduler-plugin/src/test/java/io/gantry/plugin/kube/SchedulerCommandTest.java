package io.gantry.plugin.kube;

import io.gantry.plugin.cli.SchedulerCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.gantry.plugin.kube.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code gantry scheduler --config --kubeconfig} end to end: it schedules, and serves metrics and health. */
class SchedulerCommandTest {
    private final TestCluster cluster = new TestCluster();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void schedulesAndServesMetricsHealthAndReadiness(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("config.yaml"), """
                schedulerName: gantry
                policies: {training: bestfit, inference: spread}
                queues:
                  - {name: team-a, guaranteedGpus: 8, limitGpus: 16}
                leaderElection: {enabled: false}
                metrics: {port: 0}
                """);
        Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), cluster.kubeconfig());
        cluster.node("gpu-1", 8, "A100");
        SchedulerCommand command = new SchedulerCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(command).execute(
                "--config", config.toString(), "--kubeconfig", kubeconfig.toString(), "--identity", "cmd-test"));
        try {
            assertThat(eventually(() -> command.healthPort() > 0 && command.scheduler() != null && command.scheduler().leading())).isTrue();
            cluster.create(cluster.gpuPod("via-command", 1));
            assertThat(eventually(() -> cluster.nodeOf("via-command") != null)).isTrue();

            assertThat(get(command, "/healthz")).isEqualTo(200);
            assertThat(get(command, "/readyz")).isEqualTo(200);
            assertThat(eventually(() -> body(command, "/metrics").contains("gantry_schedule_attempts_total{result=\"scheduled\"} 1.0"))).isTrue();
            String metrics = body(command, "/metrics");
            assertThat(metrics).contains("gantry_scheduling_latency_seconds_count 1", "gantry_leader 1.0", "gantry_intake_queue_depth",
                    "gantry_gang_wait_seconds_count 0");
        } finally {
            command.stop();
        }
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aBadConfigIsRefusedNamingTheKey(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("config.yaml"), "policies: {training: fastest}\n");
        var err = new java.io.StringWriter();
        int code = new CommandLine(new SchedulerCommand()).setErr(new java.io.PrintWriter(err)).execute("--config", config.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("config.yaml: policies.training: must be one of random, dotprod, gpuclustering, "
                + "gpupacking, bestfit, fgd, spread, got \"fastest\"");
    }

    private int get(SchedulerCommand command, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + command.healthPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private String body(SchedulerCommand command, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + command.healthPort() + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
