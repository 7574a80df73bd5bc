package io.gantry.manifests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;
import io.gantry.plugin.kube.ApiServerDispatcher;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.run.ClientSettings;
import io.gantry.plugin.run.GantryScheduler;
import io.gantry.plugin.translate.KubeNames;
import io.gantry.plugin.translate.PodGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.gantry.plugin.kube.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * The RBAC in {@code rbac.yaml} grants every API call the scheduler makes, and nothing it does not make.
 *
 * <p>The scheduler runs with the install's own {@code config.yaml} (leader election on, shorter lease
 * timings) against fabric8's mock API server behind {@link ApiServerDispatcher} (real binding and
 * eviction semantics) through a scenario that exercises every path that talks to the API: informers
 * on pods, nodes and PodGroups; leader election on the Lease; binds of a gang, a whole-GPU and a
 * fractional pod; a bind 409 reconciled by reading the pod back; PodGroup status; an unschedulable pod
 * and an untranslatable one (events and the PodScheduled condition); a preemption (DisruptionTarget
 * condition, Eviction API, Preempted event); a gang member starting to run (PodGroup running count).
 * Each request of the scheduler's own client (told apart from the test's set-up calls by its User-Agent)
 * becomes (verb, API group, resource/subresource, namespace, name), as the API server's authorizer sees
 * it, and is checked against the ClusterRole and the leader-election Role.
 */
class RbacCoverageTest {
    private static final String AGENT = "gantry-rbac-under-test";

    /**
     * Rules the scenario cannot show but a real API server needs. Empty: the mock serves list and watch
     * as a real server does (informers list, then watch), so every rule is seen. Add a rule here only
     * with the reason the recorder cannot see it.
     */
    private static final Set<Permission> REAL_SERVER_ONLY = Set.of();

    /** One request as the authorizer sees it. */
    record Request(String verb, String group, String resource, String namespace, String name) {
        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                    + (namespace == null ? "" : " in " + namespace) + (name == null ? "" : " named " + name);
        }
    }

    /** One (group, resource, verb) of a rule, with the rule's namespace (null: cluster-wide) and names. */
    record Permission(String group, String resource, String verb, String namespace, Set<String> names) {
        boolean allows(Request r) {
            return group.equals(r.group()) && resource.equals(r.resource()) && verb.equals(r.verb())
                    && (namespace == null || namespace.equals(r.namespace()))
                    && (names.isEmpty() || names.contains(r.name()));
        }

        @Override
        public String toString() {
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource + (namespace == null ? "" : " in " + namespace)
                    + (names.isEmpty() ? "" : " named " + names);
        }
    }

    /** Delegates to {@link ApiServerDispatcher}; notes which requests come from the scheduler's client. */
    private static final class Recorder extends Dispatcher {
        final ApiServerDispatcher api = new ApiServerDispatcher();
        final List<String> scheduler = new CopyOnWriteArrayList<>();

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            String agent = request.getHeader("User-Agent");
            if (agent != null && agent.contains(AGENT)) {
                scheduler.add(request.getMethod() + " " + request.getPath());
            }
            return api.dispatch(request);
        }

        @Override
        public void shutdown() {
            api.shutdown();
        }
    }

    private final Recorder recorder = new Recorder();
    private final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), recorder, false);
    private KubernetesClient client;
    private GantryScheduler scheduler;

    @AfterEach
    void close() {
        if (scheduler != null) {
            scheduler.close();
        }
        if (client != null) {
            client.close();
        }
        server.destroy();
    }

    @Test
    void theClusterRoleAndLeaseRoleGrantExactlyWhatTheSchedulerUses() throws Exception {
        List<HasMetadata> installed = Manifests.installed();
        SchedulerSettings settings = SettingsLoader.parse(fastLeaseConfig());
        List<Permission> granted = permissions(installed);

        server.init();
        client = server.createClient();
        runScenario(settings);

        List<Request> requests = new ArrayList<>();
        for (String call : recorder.scheduler) {
            requests.add(request(call));
        }
        assertThat(requests).as("requests of the scheduler's client").isNotEmpty();

        Set<String> denied = new TreeSet<>();
        for (Request r : requests) {
            if (granted.stream().noneMatch(p -> p.allows(r))) {
                denied.add(r.toString());
            }
        }

        Set<String> unused = new TreeSet<>();
        for (Permission p : granted) {
            if (requests.stream().noneMatch(p::allows) && !REAL_SERVER_ONLY.contains(p)) {
                unused.add(p.toString());
            }
        }
        assertSoftly(softly -> {
            softly.assertThat(denied).as("API calls the scheduler made that rbac.yaml does not grant").isEmpty();
            softly.assertThat(unused).as("rules in rbac.yaml the scheduler never used").isEmpty();
        });
    }

    @Test
    void theRolesAreBoundToTheServiceAccountTheDeploymentRunsAs() {
        List<HasMetadata> installed = Manifests.installed();
        ServiceAccount account = Manifests.one(installed, ServiceAccount.class);
        ClusterRole clusterRole = Manifests.one(installed, ClusterRole.class);
        Role role = Manifests.one(installed, Role.class);
        ClusterRoleBinding clusterBinding = Manifests.one(installed, ClusterRoleBinding.class);
        RoleBinding binding = Manifests.one(installed, RoleBinding.class);
        SchedulerSettings settings = Manifests.settings();

        assertThat(clusterBinding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(clusterBinding.getRoleRef().getName()).isEqualTo(clusterRole.getMetadata().getName());
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getMetadata().getNamespace()).isEqualTo(role.getMetadata().getNamespace());
        // the Lease lives where the config says, and the Role is there
        assertThat(role.getMetadata().getNamespace()).isEqualTo(settings.leaderElection().namespace());
        for (List<Subject> subjects : List.of(clusterBinding.getSubjects(), binding.getSubjects())) {
            assertThat(subjects).singleElement().satisfies(s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
                assertThat(s.getNamespace()).isEqualTo(account.getMetadata().getNamespace());
            });
        }
        assertThat(Manifests.one(installed, io.fabric8.kubernetes.api.model.apps.Deployment.class)
                .getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        // no wildcards anywhere
        for (PolicyRule rule : concat(clusterRole.getRules(), role.getRules())) {
            assertThat(rule.getVerbs()).doesNotContain("*");
            assertThat(rule.getResources()).doesNotContain("*");
            assertThat(rule.getApiGroups()).doesNotContain("*");
            assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        }
    }

    /** The install's config.yaml with only the lease timings shortened, so renewals happen within the test. */
    private static String fastLeaseConfig() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode config = (ObjectNode) yaml.readTree(Manifests.configFile().toFile());
        ObjectNode lease = (ObjectNode) config.get("leaderElection");
        assertThat(lease.get("enabled").asBoolean()).isTrue();
        lease.put("leaseDurationSeconds", 2).put("renewDeadlineSeconds", 1.5).put("retryPeriodSeconds", 0.2);
        return yaml.writeValueAsString(config);
    }

    private void runScenario(SchedulerSettings settings) {
        String ns = "ml";
        node("gpu-1", 4);
        node("gpu-2", 4);
        node("gpu-3", 1);
        // the racing scheduler takes gpu-3 first: our bind gets a 409 and reads the pod back
        recorder.api.controls().bindElsewhereFirst(ns + "/raced", "gpu-3");

        scheduler = new GantryScheduler(new KubernetesClientBuilder().withConfig(ClientSettings.tune(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(AGENT).build(), settings)).build(),
                settings, "gantry-scheduler-0", new SchedulerMetrics());
        scheduler.start();
        assertThat(eventually(Duration.ofSeconds(10), scheduler::leading)).isTrue();

        // a gang of two with its PodGroup
        PodGroup group = new PodGroup();
        group.getMetadata().setNamespace(ns);
        group.getMetadata().setName("pair");
        group.getMetadata().setCreationTimestamp(Instant.now().toString());
        PodGroup.Spec spec = new PodGroup.Spec();
        spec.setMinMember(2);
        group.setSpec(spec);
        client.resources(PodGroup.class).resource(group).create();
        for (int i = 0; i < 2; i++) {
            create(pod(ns, "pair-" + i, 2, 10).editMetadata().addToLabels(KubeNames.POD_GROUP_LABEL, "pair").endMetadata());
        }
        create(pod(ns, "raced", 1, 10));
        create(pod(ns, "notebook", 0, 10).editMetadata().addToAnnotations(KubeNames.GPU_MILLI_ANNOTATION, "250").endMetadata());
        create(pod(ns, "impossible", 1, 10).editMetadata().addToAnnotations(KubeNames.GPU_MODELS_ANNOTATION, "B200").endMetadata());
        create(pod(ns, "bad", 0, 10).editMetadata().addToAnnotations(KubeNames.GPU_MILLI_ANNOTATION, "half").endMetadata());
        assertThat(eventually(Duration.ofSeconds(10), () -> bound(ns, "pair-0") && bound(ns, "pair-1")
                && bound(ns, "raced") && bound(ns, "notebook"))).isTrue();
        assertThat(eventually(Duration.ofSeconds(10), () -> hasCondition(ns, "impossible", "Unschedulable")
                && hasCondition(ns, "bad", "SchedulerError"))).isTrue();
        assertThat(eventually(Duration.ofSeconds(10), () -> {
            PodGroup g = client.resources(PodGroup.class).inNamespace(ns).withName("pair").get();
            return g.getStatus() != null && "Scheduled".equals(g.getStatus().getPhase());
        })).isTrue();

        // a gang member starts: the running count is written again
        client.pods().inNamespace(ns).withName("pair-0").editStatus(p -> {
            p.getStatus().setPhase("Running");
            return p;
        });
        assertThat(eventually(Duration.ofSeconds(10), () -> {
            PodGroup g = client.resources(PodGroup.class).inNamespace(ns).withName("pair").get();
            return g.getStatus() != null && Integer.valueOf(1).equals(g.getStatus().getRunning());
        })).isTrue();

        // fill what is left with low priority work, then preempt it
        create(pod(ns, "filler", 3, 0));
        assertThat(eventually(Duration.ofSeconds(10), () -> bound(ns, "filler"))).isTrue();
        create(pod(ns, "urgent", 4, 1000));
        assertThat(eventually(Duration.ofSeconds(10), () -> client.pods().inNamespace(ns).withName("filler").get() == null)).isTrue();
        assertThat(eventually(Duration.ofSeconds(10), () -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "Preempted".equals(e.getReason())))).isTrue();
        assertThat(eventually(Duration.ofSeconds(10), () -> client.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> "FailedScheduling".equals(e.getReason()))
                && client.v1().events().inNamespace(ns).list().getItems().stream().anyMatch(e -> "Scheduled".equals(e.getReason())))).isTrue();

        // the lease is renewed a few times, and released on close
        String leaseName = settings.leaderElection().leaseName();
        assertThat(eventually(Duration.ofSeconds(10), () -> recorder.scheduler.stream()
                .filter(c -> c.startsWith("PATCH ") && c.contains("/leases/" + leaseName)).count() >= 3)).isTrue();
        scheduler.close();
        scheduler = null;
    }

    private void node(String name, int gpus) {
        Map<String, Quantity> allocatable = new HashMap<>();
        allocatable.put("cpu", new Quantity("64"));
        allocatable.put("memory", new Quantity("512Gi"));
        allocatable.put(KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        Node node = new NodeBuilder().withNewMetadata().withName(name).addToLabels(KubeNames.GPU_PRODUCT_LABEL, "A100").endMetadata()
                .withNewSpec().endSpec().withNewStatus().withAllocatable(allocatable).withCapacity(allocatable).endStatus().build();
        client.nodes().resource(node).create();
    }

    private static PodBuilder pod(String ns, String name, int gpus, int priority) {
        Map<String, Quantity> limits = new HashMap<>();
        if (gpus > 0) {
            limits.put(KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        }
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withCreationTimestamp(Instant.now().toString())
                .endMetadata().withNewSpec().withSchedulerName("gantry").withPriority(priority)
                .addNewContainer().withName("main").withImage("busybox").withNewResources()
                .addToRequests("cpu", new Quantity("1")).addToRequests("memory", new Quantity("1Gi")).withLimits(limits)
                .endResources().endContainer().endSpec();
    }

    private void create(PodBuilder pod) {
        client.pods().resource(pod.build()).create();
    }

    private boolean bound(String ns, String name) {
        Pod p = client.pods().inNamespace(ns).withName(name).get();
        return p != null && p.getSpec().getNodeName() != null;
    }

    private boolean hasCondition(String ns, String name, String reason) {
        Pod p = client.pods().inNamespace(ns).withName(name).get();
        return p != null && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType()) && reason.equals(c.getReason()));
    }

    /** "METHOD /path?query" as the authorizer's request attributes. */
    static Request request(String call) {
        int space = call.indexOf(' ');
        String method = call.substring(0, space);
        String target = call.substring(space + 1);
        String query = "";
        int q = target.indexOf('?');
        if (q >= 0) {
            query = target.substring(q + 1);
            target = target.substring(0, q);
        }
        List<String> parts = new ArrayList<>(List.of(target.substring(1).split("/")));
        String group;
        if (parts.get(0).equals("api")) {
            group = "";
            parts = parts.subList(2, parts.size());
        } else if (parts.get(0).equals("apis")) {
            group = parts.get(1);
            parts = parts.subList(3, parts.size());
        } else {
            throw new AssertionError("not a resource request: " + call);
        }
        String namespace = null;
        if (parts.size() >= 3 && parts.get(0).equals("namespaces")) {
            namespace = parts.get(1);
            parts = parts.subList(2, parts.size());
        }
        String resource = parts.get(0);
        String name = parts.size() > 1 ? parts.get(1) : null;
        if (parts.size() > 2) {
            resource = resource + "/" + parts.get(2);
        }
        boolean watch = List.of(query.split("&")).contains("watch=true") || List.of(query.split("&")).contains("watch=1");
        String verb = switch (method) {
            case "GET" -> watch ? "watch" : name == null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> throw new AssertionError("unexpected method in " + call);
        };
        return new Request(verb, group, resource, namespace, name);
    }

    private static List<Permission> permissions(List<HasMetadata> installed) {
        List<Permission> out = new ArrayList<>();
        for (PolicyRule rule : Manifests.one(installed, ClusterRole.class).getRules()) {
            expand(rule, null, out);
        }
        Role role = Manifests.one(installed, Role.class);
        for (PolicyRule rule : role.getRules()) {
            expand(rule, role.getMetadata().getNamespace(), out);
        }
        return out;
    }

    private static void expand(PolicyRule rule, String namespace, List<Permission> out) {
        Set<String> names = rule.getResourceNames() == null ? Set.of() : Set.copyOf(rule.getResourceNames());
        for (String group : rule.getApiGroups()) {
            for (String resource : rule.getResources()) {
                for (String verb : rule.getVerbs()) {
                    out.add(new Permission(group, resource, verb, namespace, names));
                }
            }
        }
    }

    private static List<PolicyRule> concat(List<PolicyRule> a, List<PolicyRule> b) {
        List<PolicyRule> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
