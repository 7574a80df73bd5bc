package io.gantry.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.gantry.plugin.translate.PodGroup;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every YAML file parses into fabric8's model with no field fabric8 does not know; the kustomization
 * (read as a file: no kubectl here) lists files that exist and every manifest there is; the PodGroup CRD
 * carries every field the scheduler reads and writes.
 */
class ManifestFilesTest {

    @Test
    void kustomizationListsEveryManifestAndOnlyFilesThatExist() {
        List<Path> listed = Manifests.resourceFiles();
        assertThat(listed).isNotEmpty().allSatisfy(p -> assertThat(p).isRegularFile());
        JsonNode generator = Manifests.kustomization().path("configMapGenerator");
        assertThat(generator).hasSize(1);
        assertThat(generator.get(0).path("name").asText()).isEqualTo("gantry-config");
        assertThat(generator.get(0).path("namespace").asText()).isEqualTo("gantry-system");
        List<String> generated = new ArrayList<>();
        generator.get(0).path("files").forEach(f -> generated.add(f.asText()));
        assertThat(generated).containsExactly("config.yaml");
        assertThat(Manifests.configFile()).isRegularFile();

        // no manifest beside them that `kubectl apply -k` would silently leave out
        Set<Path> yaml = new TreeSet<>();
        try (var files = Files.list(Manifests.DIR)) {
            files.filter(p -> p.toString().endsWith(".yaml")).forEach(yaml::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        yaml.remove(Manifests.DIR.resolve("kustomization.yaml"));
        yaml.remove(Manifests.configFile());
        assertThat(yaml).containsExactlyInAnyOrderElementsOf(listed);
    }

    @Test
    void theInstallParsesIntoTypedObjectsWithNoUnknownField() {
        List<HasMetadata> objects = Manifests.installed();
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                "Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
                "RoleBinding", "Deployment", "Service", "PodDisruptionBudget");
        for (HasMetadata o : objects) {
            assertThat(o).as(describe(o)).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(Manifests.unknownFields(o, describe(o))).as(describe(o)).isEmpty();
            if (o instanceof Namespaced) {
                assertThat(o.getMetadata().getNamespace()).as(describe(o)).isEqualTo("gantry-system");
            }
        }
        assertThat(Manifests.one(objects, Namespace.class).getMetadata().getName()).isEqualTo("gantry-system");
    }

    @Test
    void everyExampleParsesWithNoUnknownField() {
        assertThat(Manifests.exampleFiles()).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder(
                "training-gang.yaml", "inference.yaml", "notebooks.yaml", "queues.yaml", "kueue-job.yaml");
        for (Path file : Manifests.exampleFiles()) {
            List<HasMetadata> objects = Manifests.load(file);
            assertThat(objects).as(file.toString()).isNotEmpty();
            for (HasMetadata o : objects) {
                String where = file.getFileName() + " " + describe(o);
                if (o instanceof GenericKubernetesResource) {
                    // custom resources fabric8 has no class for: ours and Kueue's
                    assertThat(o.getApiVersion()).as(where).isIn("scheduling.x-k8s.io/v1alpha1", "kueue.x-k8s.io/v1beta1");
                } else {
                    assertThat(Manifests.unknownFields(o, where)).as(where).isEmpty();
                }
                // no namespace: `kubectl apply -n TEAM -f` puts them where the user wants
                assertThat(o.getMetadata().getNamespace()).as(where).isNull();
            }
        }
    }

    @Test
    void theUnknownFieldCheckCatchesAMisspeltOrMisplacedField() {
        HasMetadata pod = (HasMetadata) Manifests.SERIALIZATION.unmarshal("""
                apiVersion: v1
                kind: Pod
                metadata: {name: p}
                spec:
                  schedulerName: gantry
                  containers:
                    - name: c
                      resurces: {limits: {nvidia.com/gpu: 1}}
                  readOnlyRootFilesystem: true
                """);
        assertThat(Manifests.unknownFields(pod, "pod")).containsExactlyInAnyOrder(
                "pod.spec: unknown field(s) [readOnlyRootFilesystem]",
                "pod.spec.containers[0]: unknown field(s) [resurces]");
    }

    @Test
    void theSampleNodesFixtureParses() {
        List<HasMetadata> nodes = Manifests.load(Manifests.DIR.resolve("src/test/resources/sample-nodes.yaml"));
        assertThat(nodes).hasSize(10).allSatisfy(n -> assertThat(n.getKind()).isEqualTo("Node"));
        nodes.forEach(n -> assertThat(Manifests.unknownFields(n, describe(n))).isEmpty());
    }

    @Test
    void thePodGroupCrdIsTheOneTheSchedulerWatchesAndKeepsEveryFieldItReadsAndWrites() {
        CustomResourceDefinition crd = Manifests.one(Manifests.installed(), CustomResourceDefinition.class);
        PodGroup sample = fullPodGroup();
        assertThat(crd.getMetadata().getName()).isEqualTo(sample.getPlural() + "." + sample.getGroup());
        assertThat(crd.getSpec().getGroup()).isEqualTo(sample.getGroup());
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo(sample.getKind());
        assertThat(crd.getSpec().getNames().getPlural()).isEqualTo(sample.getPlural());
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getVersions()).hasSize(1);
        CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
        assertThat(version.getName()).isEqualTo(sample.getVersion());
        assertThat(version.getServed()).isTrue();
        assertThat(version.getStorage()).isTrue();
        // StatusReporter patches podgroups/status: without the subresource that patch is a 404
        assertThat(version.getSubresources().getStatus()).isNotNull();

        JSONSchemaProps schema = version.getSchema().getOpenAPIV3Schema();
        // every field of the scheduler's PodGroup (what it reads from spec, what it writes to status),
        // or a structural schema would prune it
        @SuppressWarnings("unchecked")
        Map<String, Object> json = Manifests.SERIALIZATION.convertValue(sample, Map.class);
        List<String> missing = new ArrayList<>();
        for (String section : List.of("spec", "status")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) json.get(section);
            assertThat(fields).as(section).isNotEmpty();
            JSONSchemaProps props = schema.getProperties().get(section);
            for (String field : fields.keySet()) {
                if (props == null || !props.getProperties().containsKey(field)) {
                    missing.add(section + "." + field);
                }
            }
        }
        assertThat(missing).as("fields of io.gantry.plugin.translate.PodGroup missing from the CRD schema").isEmpty();
        assertThat(schema.getProperties().get("spec").getProperties().get("minMember").getType()).isEqualTo("integer");
        assertThat(schema.getProperties().get("status").getProperties().get("phase").getType()).isEqualTo("string");

        // printer columns point at fields the schema has
        assertThat(version.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
                .contains("Phase", "MinMember", "Scheduled", "Running", "Age");
        for (CustomResourceColumnDefinition column : version.getAdditionalPrinterColumns()) {
            assertThat(resolves(schema, column.getJsonPath())).as(column.getJsonPath()).isTrue();
        }
    }

    @Test
    void theExamplePodGroupsUseOnlyFieldsTheCrdDeclaresWithTheirTypesAndBounds() {
        CustomResourceDefinition crd = Manifests.one(Manifests.installed(), CustomResourceDefinition.class);
        JSONSchemaProps spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
        int checked = 0;
        for (Path file : Manifests.exampleFiles()) {
            for (HasMetadata o : Manifests.load(file)) {
                if (!(o instanceof GenericKubernetesResource group) || !"PodGroup".equals(group.getKind())) {
                    continue;
                }
                assertThat(group.getApiVersion()).isEqualTo(crd.getSpec().getGroup() + "/" + crd.getSpec().getVersions().get(0).getName());
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) group.getAdditionalProperties().get("spec");
                for (Map.Entry<String, Object> field : fields.entrySet()) {
                    JSONSchemaProps declared = spec.getProperties().get(field.getKey());
                    assertThat(declared).as("spec." + field.getKey()).isNotNull();
                    if ("integer".equals(declared.getType())) {
                        assertThat(field.getValue()).as("spec." + field.getKey()).isInstanceOf(Integer.class);
                        if (declared.getMinimum() != null) {
                            assertThat(((Integer) field.getValue()).doubleValue()).isGreaterThanOrEqualTo(declared.getMinimum());
                        }
                    }
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(1);
    }

    /** A PodGroup with every field set, as the scheduler's class serializes it. */
    private static PodGroup fullPodGroup() {
        PodGroup group = new PodGroup();
        PodGroup.Spec spec = new PodGroup.Spec();
        spec.setMinMember(4);
        spec.setScheduleTimeoutSeconds(60);
        group.setSpec(spec);
        PodGroup.Status status = new PodGroup.Status();
        status.setPhase("Scheduled");
        status.setScheduled(4);
        status.setRunning(2);
        status.setMessage("m");
        group.setStatus(status);
        // every bean property set: a new field in the class must be added here and to the CRD
        Set<String> set = new HashSet<>();
        for (Class<?> c : List.of(PodGroup.Spec.class, PodGroup.Status.class)) {
            for (var m : c.getDeclaredMethods()) {
                if (m.getName().startsWith("get") && m.getParameterCount() == 0) {
                    set.add(c.getSimpleName() + "." + m.getName().substring(3));
                }
            }
        }
        assertThat(set).containsExactlyInAnyOrder("Spec.MinMember", "Spec.ScheduleTimeoutSeconds",
                "Status.Phase", "Status.Scheduled", "Status.Running", "Status.Message");
        return group;
    }

    private static boolean resolves(JSONSchemaProps schema, String jsonPath) {
        if (jsonPath.equals(".metadata.creationTimestamp")) {
            return schema.getProperties().containsKey("metadata");
        }
        JSONSchemaProps at = schema;
        Iterator<String> parts = List.of(jsonPath.substring(1).split("\\.")).iterator();
        while (parts.hasNext()) {
            if (at.getProperties() == null) {
                return false;
            }
            at = at.getProperties().get(parts.next());
            if (at == null) {
                return false;
            }
        }
        return true;
    }

    static String describe(HasMetadata o) {
        return o.getKind() + " " + o.getMetadata().getName();
    }
}
