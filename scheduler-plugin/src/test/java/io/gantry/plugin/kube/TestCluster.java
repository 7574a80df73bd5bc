package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
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

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A Kubernetes API for the integration tests plus builders for nodes, pods and PodGroups and the
 * schedulers under test. Every scheduler started here is closed with the cluster.
 *
 * <p>The API behind it ({@link Backend}) is chosen by system properties, so the same scenarios run
 * against each:
 * <ul>
 *   <li>default: fabric8's mock server in CRUD mode behind {@link ApiServerDispatcher} (real HTTP, real
 *       watches);</li>
 *   <li>{@code -Dgantry.test.api=memory}: {@link InMemoryApiServer};</li>
 *   <li>{@code -Dgantry.test.api=real} (set by the {@code real-apiserver} Maven profile): a real
 *       kube-apiserver and etcd started by {@code io.fabric8:kube-api-test}, which downloads them;</li>
 *   <li>{@code -Dgantry.kubeconfig=PATH}: the cluster of that kubeconfig (a kind cluster, say).</li>
 * </ul>
 * Against a real API server the tests' controls (fault injection, budgets, the call log) are not there:
 * a test that asks for one is skipped at that point. Namespaces and the PodGroup CRD are created when
 * missing, and what a test created is deleted at the end.
 */
public final class TestCluster implements AutoCloseable {
    public static final String NS = "team-a";
    private static final String SYSTEM_NS = "gantry-system";

    /** Where the API comes from. */
    public enum Backend {
        MOCK, MEMORY, REAL, KUBECONFIG;

        /** From {@code gantry.kubeconfig} and {@code gantry.test.api} (mock, memory or real). */
        public static Backend fromProperties() {
            String kubeconfig = System.getProperty("gantry.kubeconfig", "");
            if (!kubeconfig.isBlank()) {
                return KUBECONFIG;
            }
            String api = System.getProperty("gantry.test.api", "mock").trim().toLowerCase(java.util.Locale.ROOT);
            return switch (api) {
                case "", "mock" -> MOCK;
                case "memory" -> MEMORY;
                case "real" -> REAL;
                default -> throw new IllegalArgumentException("gantry.test.api must be mock, memory or real, got " + api);
            };
        }
    }

    /** The test controls of the API server, or, against a real one, controls that skip the test. */
    public final ApiControls api;
    private final Backend backend;
    private final AutoCloseable server;
    private final String kubeconfigYaml;
    public final KubernetesClient client;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<String> nodesCreated = new ArrayList<>();

    public TestCluster() {
        this(Backend.fromProperties());
    }

    public TestCluster(Backend backend) {
        this.backend = backend;
        KubernetesClient mockClient = null;
        switch (backend) {
            case MOCK -> {
                ApiServerDispatcher dispatcher = new ApiServerDispatcher();
                KubernetesMockServer mock = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
                mock.init();
                api = dispatcher.controls();
                server = mock::destroy;
                mockClient = mock.createClient();
                kubeconfigYaml = kubeconfigFor(mockClient.getMasterUrl().toString());
            }
            case MEMORY -> {
                InMemoryApiServer memory = new InMemoryApiServer();
                api = memory.controls();
                server = memory;
                kubeconfigYaml = kubeconfigFor(memory.url());
            }
            case REAL -> {
                RealApiServer real = RealApiServer.start();
                api = new AbsentControls("a kube-apiserver started by kube-api-test");
                server = real;
                kubeconfigYaml = real.kubeconfigYaml();
            }
            default -> {
                Path file = Path.of(System.getProperty("gantry.kubeconfig").replaceFirst("^~", System.getProperty("user.home")));
                try {
                    kubeconfigYaml = Files.readString(file);
                } catch (IOException e) {
                    throw new IllegalStateException("gantry.kubeconfig: cannot read " + file + ": " + e.getMessage(), e);
                }
                api = new AbsentControls("the cluster of " + file);
                server = () -> { };
            }
        }
        if (mockClient != null) {
            client = mockClient;
        } else {
            Config config = Config.fromKubeconfig(kubeconfigYaml);
            if (backend == Backend.MEMORY) {
                config.setOnlyHttpWatches(true);
            }
            client = new KubernetesClientBuilder().withConfig(config).build();
        }
        if (isReal()) {
            prepareRealCluster();
        }
    }

    /** A kubeconfig for this cluster's API, as a user of {@code gantry scheduler --kubeconfig} would write it. */
    public String kubeconfig() {
        return kubeconfigYaml;
    }

    public Backend backend() {
        return backend;
    }

    private boolean isReal() {
        return backend == Backend.REAL || backend == Backend.KUBECONFIG;
    }

    /** A kubeconfig with only a server and a token, as the tests write it. */
    public static String kubeconfigFor(String url) {
        return """
                apiVersion: v1
                kind: Config
                clusters: [{name: test, cluster: {server: "%s"}}]
                contexts: [{name: test, context: {cluster: test, user: tester}}]
                current-context: test
                users: [{name: tester, user: {token: secret}}]
                """.formatted(url);
    }

    /** Namespaces and the PodGroup CRD the scenarios need, which a real cluster may not have yet. */
    private void prepareRealCluster() {
        for (String ns : List.of(NS, SYSTEM_NS)) {
            if (client.namespaces().withName(ns).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            }
        }
        String crd = "podgroups.scheduling.x-k8s.io";
        if (client.apiextensions().v1().customResourceDefinitions().withName(crd).get() == null) {
            try (InputStream in = TestCluster.class.getResourceAsStream("/podgroup-crd.yaml")) {
                client.apiextensions().v1().customResourceDefinitions().load(in).create();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        client.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(c -> c.getStatus() != null
                && c.getStatus().getConditions().stream().anyMatch(k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
                30, TimeUnit.SECONDS);
        // what an earlier, interrupted run may have left
        cleanUp(client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).filter(n -> n.startsWith("gpu-")
                || n.startsWith("cpu-") || n.startsWith("node-")).toList());
    }

    private void cleanUp(List<String> nodeNames) {
        client.pods().inNamespace(NS).withGracePeriod(0).delete();
        client.resources(PodGroup.class).inNamespace(NS).delete();
        client.v1().events().inNamespace(NS).delete();
        client.leases().inNamespace(SYSTEM_NS).delete();
        for (String node : nodeNames) {
            client.nodes().withName(node).withGracePeriod(0).delete();
        }
        eventually(Duration.ofSeconds(30), () -> client.pods().inNamespace(NS).list().getItems().isEmpty());
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
        nodesCreated.add(name);
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
        PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace(NS).withName(name)
                .withCreationTimestamp(Instant.now().toString()).endMetadata()
                .withNewSpec().withSchedulerName("gantry")
                .addNewContainer().withName("main").withImage("trainer:1").withNewResources()
                .withRequests(requests).withLimits(limits).endResources().endContainer()
                .endSpec();
        if (backend == Backend.KUBECONFIG) {
            // a full cluster's node lifecycle controller taints the tests' kubelet-less nodes not-ready / unreachable
            for (String taint : List.of("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")) {
                pod.editSpec().addNewToleration().withKey(taint).withOperator("Exists").endToleration().endSpec();
            }
        }
        return pod;
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
        try {
            if (isReal()) {
                cleanUp(nodesCreated);
            }
        } finally {
            client.close();
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the test API server: " + e.getMessage(), e);
            }
        }
    }

    /** Controls of a real API server: there are none, so a test that needs one is skipped. */
    private record AbsentControls(String where) implements ApiControls {
        private <T> T skip(String what) {
            Assumptions.abort(what + " needs the test API server's controls, which " + where + " does not have");
            throw new AssertionError("unreachable");
        }

        @Override
        public void failNext(String method, String pathRegex, int code, int times) {
            skip("fault injection");
        }

        @Override
        public void protectByBudget(String podKey) {
            skip("a disruption budget by pod name");
        }

        @Override
        public void unprotect(String podKey) {
            skip("a disruption budget by pod name");
        }

        @Override
        public void bindElsewhereFirst(String podKey, String node) {
            skip("a racing bind");
        }

        @Override
        public List<Call> calls() {
            return skip("the request log");
        }

        @Override
        public Map<String, Integer> bindingsByPod() {
            return skip("counting bindings per pod");
        }
    }
}
