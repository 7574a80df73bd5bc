package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.run.ClientSettings;
import io.gantry.plugin.run.GantryScheduler;
import io.gantry.plugin.translate.KubeNames;
import io.gantry.plugin.translate.PodGroup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A Kubernetes API for the integration tests (fabric8's mock server in CRUD mode behind
 * {@link ApiServerDispatcher}: real HTTP, real watches) plus builders for nodes, pods and PodGroups and
 * the schedulers under test. Every scheduler started here is closed with the cluster.
 */
public final class TestCluster implements AutoCloseable {
    public static final String NS = "team-a";

    public final ApiServerDispatcher api = new ApiServerDispatcher();
    private final KubernetesMockServer server;
    public final KubernetesClient client;
    private final List<AutoCloseable> started = new ArrayList<>();

    public TestCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), api, false);
        server.init();
        client = server.createClient();
    }

    /** A scheduler on this API with the given config YAML (leader election off unless it says so). */
    public GantryScheduler scheduler(String identity, String yaml) {
        SchedulerSettings settings = SettingsLoader.parse(yaml);
        GantryScheduler scheduler = new GantryScheduler(new KubernetesClientBuilder()
                .withConfig(ClientSettings.tune(client.getConfiguration(), settings)).build(), settings, identity, new SchedulerMetrics());
        scheduler.start();
        started.add(scheduler);
        return scheduler;
    }

    public GantryScheduler scheduler() {
        return scheduler("gantry-0", "leaderElection: {enabled: false}\nmetrics: {port: 0}\n");
    }

    public Node node(String name, int gpus, String model) {
        return node(name, gpus, model, Map.of());
    }

    public Node node(String name, int gpus, String model, Map<String, String> labels) {
        Map<String, String> all = new HashMap<>(labels);
        if (model != null) {
            all.put(KubeNames.GPU_PRODUCT_LABEL, model);
        }
        Map<String, Quantity> allocatable = new HashMap<>();
        allocatable.put("cpu", new Quantity("64"));
        allocatable.put("memory", new Quantity("512Gi"));
        allocatable.put("pods", new Quantity("110"));
        if (gpus > 0) {
            allocatable.put(KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        }
        Node node = new NodeBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus().withAllocatable(allocatable).withCapacity(allocatable).endStatus().build();
        return client.nodes().resource(node).create();
    }

    /** A pending pod for Gantry asking {@code gpus} whole GPUs. */
    public PodBuilder gpuPod(String name, int gpus) {
        Map<String, Quantity> requests = new HashMap<>();
        requests.put("cpu", new Quantity("1"));
        requests.put("memory", new Quantity("1Gi"));
        Map<String, Quantity> limits = new HashMap<>();
        if (gpus > 0) {
            limits.put(KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        }
        return new PodBuilder().withNewMetadata().withNamespace(NS).withName(name)
                .withCreationTimestamp(Instant.now().toString()).endMetadata()
                .withNewSpec().withSchedulerName("gantry")
                .addNewContainer().withName("main").withImage("trainer:1").withNewResources()
                .withRequests(requests).withLimits(limits).endResources().endContainer()
                .endSpec();
    }

    public Pod create(PodBuilder pod) {
        return client.pods().resource(pod.build()).create();
    }

    public PodGroup podGroup(String name, int minMember) {
        PodGroup group = new PodGroup();
        group.getMetadata().setNamespace(NS);
        group.getMetadata().setName(name);
        group.getMetadata().setCreationTimestamp(Instant.now().toString());
        PodGroup.Spec spec = new PodGroup.Spec();
        spec.setMinMember(minMember);
        group.setSpec(spec);
        return client.resources(PodGroup.class).resource(group).create();
    }

    public Pod pod(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    public String nodeOf(String pod) {
        Pod p = pod(pod);
        return p == null ? null : p.getSpec().getNodeName();
    }

    /** Waits up to 10 s for {@code condition}; false when it never held. */
    public static boolean eventually(BooleanSupplier condition) {
        return eventually(Duration.ofSeconds(10), condition);
    }

    public static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    /** Keeps {@code condition} true for {@code duration}, or returns false at the first moment it is not. */
    public static boolean stays(Duration duration, BooleanSupplier condition) {
        long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!condition.getAsBoolean()) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    /** Events whose involved object is {@code name}, as "Reason: message". */
    public List<String> eventsFor(String name) {
        List<String> out = new ArrayList<>();
        for (io.fabric8.kubernetes.api.model.Event e : client.v1().events().inAnyNamespace().list().getItems()) {
            if (name.equals(e.getInvolvedObject().getName())) {
                out.add(e.getReason() + ": " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
        client.close();
        server.destroy();
    }
}
