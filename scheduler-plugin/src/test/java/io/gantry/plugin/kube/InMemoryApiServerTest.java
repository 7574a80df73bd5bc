package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The in-memory API server answers as kube-apiserver does for what Gantry uses. */
class InMemoryApiServerTest {
    private final InMemoryApiServer server = new InMemoryApiServer();
    private final KubernetesClient client = clientOf(server);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void close() {
        client.close();
        server.close();
    }

    /** A client that does not retry (fabric8 retries a 429 for a minute and a half by default). */
    private static KubernetesClient clientOf(InMemoryApiServer server) {
        Config config = Config.fromKubeconfig(TestCluster.kubeconfigFor(server.url()));
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).addToLabels("app", "x").endMetadata()
                .withNewSpec().withSchedulerName("gantry").addNewContainer().withName("c").withImage("i").endContainer().endSpec().build();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void createGetUpdateDeleteWithUidsVersionsAndConflicts() {
        Pod created = client.pods().resource(pod("a")).create();
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
        assertThat(created.getMetadata().getCreationTimestamp()).isNotBlank();
        assertThatThrownBy(() -> client.pods().resource(pod("a")).create())
                .isInstanceOf(KubernetesClientException.class).matches(e -> ((KubernetesClientException) e).getCode() == 409);

        Pod stale = client.pods().inNamespace("ns").withName("a").get();
        client.pods().inNamespace("ns").withName("a").edit(p -> {
            p.getMetadata().getLabels().put("v", "2");
            return p;
        });
        stale.getMetadata().getLabels().put("v", "3");
        assertThatThrownBy(() -> client.pods().resource(stale).update())
                .isInstanceOf(KubernetesClientException.class).matches(e -> ((KubernetesClientException) e).getCode() == 409);
        Pod now = client.pods().inNamespace("ns").withName("a").get();
        assertThat(now.getMetadata().getLabels()).containsEntry("v", "2");
        assertThat(now.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());

        assertThat(client.pods().inNamespace("ns").withName("a").delete()).hasSize(1);
        assertThat(client.pods().inNamespace("ns").withName("a").get()).isNull();
    }

    @Test
    void patchesAndTheStatusSubresourceChangeOnlyWhatTheyShould() {
        client.pods().resource(pod("a")).create();
        client.pods().inNamespace("ns").withName("a").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"annotations\":{\"k\":\"v\"}}}");
        client.pods().inNamespace("ns").withName("a").patch(PatchContext.of(PatchType.JSON),
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/b\",\"value\":\"c\"},{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]");
        client.pods().inNamespace("ns").withName("a").editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getSpec().setNodeName("ignored");
            return p;
        });
        Pod now = client.pods().inNamespace("ns").withName("a").get();
        assertThat(now.getMetadata().getAnnotations()).containsEntry("k", "v");
        assertThat(now.getMetadata().getLabels()).containsEntry("b", "c").doesNotContainKey("app");
        assertThat(now.getStatus().getPhase()).isEqualTo("Running");
        assertThat(now.getSpec().getNodeName()).isNull();
    }

    @Test
    void listsFilterBySelectors() {
        client.pods().resource(pod("a")).create();
        client.pods().resource(new PodBuilder(pod("b")).editMetadata().withLabels(java.util.Map.of("app", "y")).endMetadata()
                .editSpec().withSchedulerName("default-scheduler").endSpec().build()).create();
        assertThat(client.pods().inAnyNamespace().list().getItems()).hasSize(2);
        assertThat(client.pods().inNamespace("ns").withLabel("app", "x").list().getItems()).extracting(p -> p.getMetadata().getName())
                .containsExactly("a");
        assertThat(client.pods().inNamespace("ns").withField("spec.schedulerName", "default-scheduler").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("b");
        assertThat(client.pods().inNamespace("other").list().getItems()).isEmpty();
    }

    @Test
    void bindingSetsTheNodeAnnotationsAndConditionOnceAndRefusesTheRest() throws Exception {
        Pod a = client.pods().resource(pod("a")).create();
        String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"a\",\"uid\":\"%s\","
                + "\"annotations\":{\"gantry.io/gpu-indexes\":\"0\"}},\"target\":{\"kind\":\"Node\",\"name\":\"%s\"}}";
        assertThat(post("/api/v1/namespaces/ns/pods/a/binding", binding.formatted("other-uid", "n1")).statusCode()).isEqualTo(409);
        assertThat(post("/api/v1/namespaces/ns/pods/a/binding", binding.formatted(a.getMetadata().getUid(), "n1")).statusCode()).isEqualTo(201);
        assertThat(post("/api/v1/namespaces/ns/pods/a/binding", binding.formatted(a.getMetadata().getUid(), "n2")).statusCode()).isEqualTo(409);
        assertThat(post("/api/v1/namespaces/ns/bindings", binding.formatted(a.getMetadata().getUid(), "n2")).statusCode()).isEqualTo(409);
        assertThat(post("/api/v1/namespaces/ns/pods/gone/binding", binding.formatted("", "n1")).statusCode()).isEqualTo(404);

        Pod bound = client.pods().inNamespace("ns").withName("a").get();
        assertThat(bound.getSpec().getNodeName()).isEqualTo("n1");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("gantry.io/gpu-indexes", "0");
        assertThat(bound.getStatus().getConditions()).anyMatch(c -> "PodScheduled".equals(c.getType()) && "True".equals(c.getStatus()));
        assertThat(server.controls().bindingsByPod()).containsEntry("ns/a", 1);
    }

    @Test
    void evictionDeletesOrAnswers429UnderABudget() {
        client.pods().resource(pod("a")).create();
        client.pods().resource(pod("b")).create();
        server.controls().protectByBudget("ns/b");
        assertThat(client.pods().inNamespace("ns").withName("a").evict()).isTrue();
        assertThat(client.pods().inNamespace("ns").withName("b").evict()).isFalse();
        assertThat(client.pods().inNamespace("ns").list().getItems()).extracting(p -> p.getMetadata().getName()).containsExactly("b");
    }

    @Test
    void watchesResumeFromAResourceVersionInOrder() throws Exception {
        String listVersion = client.pods().inNamespace("ns").list().getMetadata().getResourceVersion();
        client.pods().resource(pod("a")).create();
        client.pods().inNamespace("ns").withName("a").edit(p -> {
            p.getMetadata().getLabels().put("v", "2");
            return p;
        });
        LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Config config = Config.fromKubeconfig(TestCluster.kubeconfigFor(server.url()));
        config.setOnlyHttpWatches(true);
        try (KubernetesClient watching = new KubernetesClientBuilder().withConfig(config).build();
             Watch watch = watching.pods().inNamespace("ns").withResourceVersion(listVersion).watch(new Watcher<>() {
                 @Override
                 public void eventReceived(Action action, Pod p) {
                     seen.add(action + " " + p.getMetadata().getName());
                 }

                 @Override
                 public void onClose(WatcherException cause) {
                 }
             })) {
            client.pods().inNamespace("ns").withName("a").delete();
            List<String> events = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                events.add(seen.poll(10, TimeUnit.SECONDS));
            }
            assertThat(events).containsExactly("ADDED a", "MODIFIED a", "DELETED a");
            assertThat(watch).isNotNull();
        }
    }

    @Test
    void aWatchStreamsChunkedJsonLinesAndAWebSocketUpgradeIsRefused() throws Exception {
        client.pods().resource(pod("a")).create();
        HttpResponse<java.io.InputStream> watch = http.send(HttpRequest.newBuilder(URI.create(server.url()
                + "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=1")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).startsWith("{\"type\":\"ADDED\",\"object\":{").contains("\"name\":\"a\"");
            assertThat(lines.readLine()).isNull(); // ended by timeoutSeconds
        }
        URI base = URI.create(server.url());
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write(("GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertThat(statusLine).startsWith("HTTP/1.1 503");
        }
    }

    @Test
    void aResourceVersionOlderThanTheWindowGets410GoneAndTheStreamEnds() throws Exception {
        try (InMemoryApiServer small = new InMemoryApiServer(2)) {
            KubernetesClient c = clientOf(small);
            for (String name : List.of("a", "b", "c", "d")) {
                c.pods().resource(pod(name)).create();
            }
            c.close();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(small.url()
                    + "/api/v1/namespaces/ns/pods?watch=true&resourceVersion=1")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).startsWith("{\"type\":\"ERROR\",\"object\":{").contains("\"code\":410").endsWith("}\n");
        }
    }
}
