package io.gantry.manifests;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.gantry.plugin.translate.PodGroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods the examples make once applied, as their controllers would create them: a Deployment's
 * replicas owned by a ReplicaSet, a Job's parallel pods (a suspended Kueue job as after admission),
 * bare pods as written. All in namespace {@code default}, each with a UID, pending.
 */
final class ExamplePods {
    static final String NAMESPACE = "default";

    /** One example file's pods and PodGroups. */
    record Example(Path file, List<Pod> pods, List<PodGroup> podGroups) {
    }

    private ExamplePods() {
    }

    static List<Example> all() {
        List<Example> out = new ArrayList<>();
        for (Path file : Manifests.exampleFiles()) {
            out.add(of(file));
        }
        return out;
    }

    static Example of(Path file) {
        List<Pod> pods = new ArrayList<>();
        List<PodGroup> groups = new ArrayList<>();
        for (HasMetadata o : Manifests.load(file)) {
            if (o instanceof Pod p) {
                pods.add(pending(Manifests.SERIALIZATION.clone(p), p.getMetadata().getName()));
            } else if (o instanceof Deployment d) {
                String replicaSet = d.getMetadata().getName() + "-5d4f8b7c9";
                int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                for (int i = 0; i < replicas; i++) {
                    Pod pod = fromTemplate(d.getSpec().getTemplate(), replicaSet + "-" + suffix(i), "apps/v1", "ReplicaSet", replicaSet);
                    pod.getMetadata().getLabels().put("pod-template-hash", "5d4f8b7c9");
                    pods.add(pod);
                }
            } else if (o instanceof StatefulSet s) {
                int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
                for (int i = 0; i < replicas; i++) {
                    pods.add(fromTemplate(s.getSpec().getTemplate(), s.getMetadata().getName() + "-" + i, "apps/v1", "StatefulSet",
                            s.getMetadata().getName()));
                }
            } else if (o instanceof Job j) {
                int parallel = j.getSpec().getParallelism() == null ? 1 : j.getSpec().getParallelism();
                boolean indexed = "Indexed".equals(j.getSpec().getCompletionMode());
                for (int i = 0; i < parallel; i++) {
                    String name = j.getMetadata().getName() + "-" + (indexed ? i + "-" : "") + suffix(i);
                    Pod pod = fromTemplate(j.getSpec().getTemplate(), name, "batch/v1", "Job", j.getMetadata().getName());
                    pod.getMetadata().getLabels().put("job-name", j.getMetadata().getName());
                    if (indexed) {
                        pod.getMetadata().getLabels().put("batch.kubernetes.io/job-completion-index", Integer.toString(i));
                    }
                    pods.add(pod);
                }
            } else if (o instanceof GenericKubernetesResource g && "PodGroup".equals(g.getKind())) {
                PodGroup group = Manifests.SERIALIZATION.convertValue(g, PodGroup.class);
                group.getMetadata().setNamespace(NAMESPACE);
                group.getMetadata().setUid("uid-podgroup-" + group.getMetadata().getName());
                group.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
                groups.add(group);
            }
        }
        return new Example(file, pods, groups);
    }

    private static Pod fromTemplate(PodTemplateSpec template, String name, String ownerApi, String ownerKind, String owner) {
        Pod pod = new Pod();
        pod.setApiVersion("v1");
        pod.setKind("Pod");
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : Manifests.SERIALIZATION.clone(template.getMetadata());
        meta.setLabels(meta.getLabels() == null ? new HashMap<>() : new HashMap<>(meta.getLabels()));
        meta.setOwnerReferences(List.of(new OwnerReferenceBuilder().withApiVersion(ownerApi).withKind(ownerKind).withName(owner)
                .withUid("uid-" + owner).withController(true).build()));
        pod.setMetadata(meta);
        pod.setSpec(Manifests.SERIALIZATION.clone(template.getSpec()));
        return pending(pod, name);
    }

    private static Pod pending(Pod pod, String name) {
        pod.getMetadata().setName(name);
        pod.getMetadata().setNamespace(NAMESPACE);
        pod.getMetadata().setUid("uid-" + name);
        pod.getMetadata().setCreationTimestamp("2026-01-01T00:00:00Z");
        if (pod.getMetadata().getAnnotations() == null) {
            pod.getMetadata().setAnnotations(new HashMap<>());
        }
        if (pod.getMetadata().getLabels() == null) {
            pod.getMetadata().setLabels(new HashMap<>());
        }
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").build());
        return pod;
    }

    private static String suffix(int i) {
        return "r" + i;
    }

    /** Every pod of every example, by name. */
    static Map<String, Pod> podsByName() {
        Map<String, Pod> out = new HashMap<>();
        for (Example e : all()) {
            for (Pod p : e.pods()) {
                out.put(p.getMetadata().getName(), p);
            }
        }
        return out;
    }
}
