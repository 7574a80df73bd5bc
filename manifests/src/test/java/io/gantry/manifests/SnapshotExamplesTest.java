package io.gantry.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Node;
import io.gantry.cli.GantryCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gantry simulate --snapshot} (the real command, with the install's config.yaml) on a snapshot of
 * a small GPU cluster ({@code src/test/resources/sample-nodes.yaml}: six 8 x H100 nodes in two racks of
 * the training pool, four 4 x L4 nodes of the inference pool) with every example's pods pending at once.
 * All are placed, except the pod Kueue still holds behind its scheduling gate, which the what-if explains.
 * The gang gets a whole rack because it arrives first: had the 4-GPU fine-tune jobs come first and taken
 * a node of rack r1, its preferred topology would spread it over both racks (required would make it wait).
 */
class SnapshotExamplesTest {
    static final List<String> WALK_THROUGH = List.of("training-gang.yaml", "inference.yaml", "notebooks.yaml", "queues.yaml",
            "kueue-job.yaml");

    @Test
    void theWhatIfPlacesEveryExampleOnTheSampleNodes(@TempDir Path dir) throws Exception {
        Path snapshot = dir.resolve("cluster.yaml");
        List<HasMetadata> objects = new ArrayList<>();
        // in the order the README's walk-through applies them: the pending pods arrive in this order
        for (String file : WALK_THROUGH) {
            ExamplePods.Example example = ExamplePods.of(Manifests.EXAMPLES.resolve(file));
            objects.addAll(example.podGroups());
            objects.addAll(example.pods());
        }
        KubernetesList pending = new KubernetesList();
        pending.setItems(objects);
        // as `kubectl get nodes,pods,podgroups -A -o yaml` would print them: Lists in YAML documents
        Files.writeString(snapshot, Manifests.read(Manifests.DIR.resolve("src/test/resources/sample-nodes.yaml")) + "\n"
                + Manifests.SERIALIZATION.asYaml(pending));
        Path json = dir.resolve("what-if.json");

        int exit = GantryCommand.execute("simulate", "--snapshot", snapshot.toString(), "--config", Manifests.configFile().toString(),
                "--json", json.toString());
        assertThat(exit).isZero();

        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertThat(result.get("evictions")).isEmpty();
        Map<String, JsonNode> decisions = new HashMap<>();
        result.get("decisions").forEach(d -> decisions.put(d.get("name").asText(), d));
        assertThat(decisions).hasSize(20);

        List<String> waiting = new ArrayList<>();
        decisions.forEach((name, d) -> {
            if (d.get("node").isNull()) {
                waiting.add(name + ": " + d.get("reason").asText());
            }
        });
        // Kueue removes the gate on admission; until then Gantry leaves the pod alone
        assertThat(waiting).containsExactly("kueue-probe: waiting for its scheduling gates to be removed");

        Map<String, Node> nodes = new HashMap<>();
        for (HasMetadata n : Manifests.load(Manifests.DIR.resolve("src/test/resources/sample-nodes.yaml"))) {
            nodes.put(n.getMetadata().getName(), (Node) n);
        }
        // the gang: four whole 8-GPU nodes in one rack
        Set<String> gangNodes = new HashSet<>();
        Set<String> gangRacks = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            JsonNode d = decisions.get("llm-pretrain-" + i + "-r" + i);
            assertThat(d.get("gpus")).hasSize(8);
            gangNodes.add(d.get("node").asText());
            gangRacks.add(nodes.get(d.get("node").asText()).getMetadata().getLabels().get("topology.gantry.io/rack"));
        }
        assertThat(gangNodes).hasSize(4);
        assertThat(gangRacks).containsExactly("r1");
        // inference: one replica per node, in the inference pool
        Set<String> replicaNodes = new HashSet<>();
        decisions.forEach((name, d) -> {
            if (name.startsWith("llm-serve-")) {
                replicaNodes.add(d.get("node").asText());
                assertThat(nodes.get(d.get("node").asText()).getMetadata().getLabels()).containsEntry("gantry.io/pool", "inference");
            }
        });
        assertThat(replicaNodes).hasSize(4);
        // notebooks: on an L4, as their gantry.io/gpu-models annotation asks
        for (String notebook : List.of("notebook-alice", "notebook-bob", "notebook-carol")) {
            assertThat(nodes.get(decisions.get(notebook).get("node").asText()).getMetadata().getLabels())
                    .containsEntry("nvidia.com/gpu.product", "NVIDIA-L4");
            assertThat(decisions.get(notebook).get("gpus")).hasSize(1);
        }
    }
}
