package io.gantry.plugin.snapshot;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.gantry.plugin.translate.PodGroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A cluster's nodes, pods and PodGroups as {@code kubectl get nodes,pods,podgroups -A -o yaml} prints
 * them: one {@code List}, several, or single objects, in one or many YAML documents. Other kinds are
 * counted and left out.
 */
public record Snapshot(List<Node> nodes, List<Pod> pods, List<PodGroup> podGroups, int ignored) {

    public static Snapshot read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such snapshot file");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    public static Snapshot parse(String yaml, String source) {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<Node> nodes = new ArrayList<>();
        List<Pod> pods = new ArrayList<>();
        List<PodGroup> groups = new ArrayList<>();
        int ignored = 0;
        String[] documents = yaml.split("(?m)^---\\s*$");
        for (int d = 0; d < documents.length; d++) {
            if (documents[d].isBlank()) {
                continue;
            }
            Object parsed;
            try {
                parsed = serialization.unmarshal(documents[d]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(source + ": YAML document " + (d + 1) + " is not a Kubernetes object: "
                        + e.getMessage(), e);
            }
            List<Object> objects = new ArrayList<>();
            if (parsed instanceof KubernetesList list) {
                objects.addAll(list.getItems());
            } else if (parsed instanceof List<?> list) {
                objects.addAll(list);
            } else {
                objects.add(parsed);
            }
            for (Object o : objects) {
                if (o instanceof Node n) {
                    nodes.add(n);
                } else if (o instanceof Pod p) {
                    pods.add(p);
                } else if (o instanceof GenericKubernetesResource g && "PodGroup".equals(g.getKind())
                        && g.getApiVersion() != null && g.getApiVersion().startsWith("scheduling.x-k8s.io/")) {
                    groups.add(serialization.convertValue(g, PodGroup.class));
                } else if (o instanceof HasMetadata || o != null) {
                    ignored++;
                }
            }
        }
        return new Snapshot(nodes, pods, groups, ignored);
    }
}
