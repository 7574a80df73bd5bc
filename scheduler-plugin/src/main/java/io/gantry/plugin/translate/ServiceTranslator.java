package io.gantry.plugin.translate;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAntiAffinity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pod's topology spread constraints, pod anti-affinity and owner into the core's
 * {@link ServiceConstraints}: which service the pod is a replica of, and how its replicas spread.
 *
 * <p>The core counts replicas per service, so every term must select the pod itself (its replicas are
 * the pods its selector matches in its namespace) and all terms of one pod must use one selector; that
 * selector, in a canonical form and prefixed by the namespace, is the service key, so replicas of one
 * Deployment across a rolling update (two ReplicaSets, one app label) count together.
 * <ul>
 *   <li>{@code topologySpreadConstraints} on {@code kubernetes.io/hostname}, {@code topology.kubernetes.io/zone}
 *       or the configured rack label become spread constraints; {@code DoNotSchedule} is hard,
 *       {@code ScheduleAnyway} soft. {@code matchLabelKeys} add the pod's own values to the selector.</li>
 *   <li>Required pod anti-affinity on {@code kubernetes.io/hostname} against the pod's own selector is a
 *       cap of one replica per node; preferred anti-affinity of that form is a soft spread over nodes with
 *       maxSkew 1.</li>
 *   <li>A pod with none of these, owned by a ReplicaSet, StatefulSet or LeaderWorkerSet, gets what the
 *       Kubernetes scheduler gives it by default: soft spread over nodes (maxSkew 3) and zones
 *       (maxSkew 5) among the replicas of its owner.</li>
 * </ul>
 * Anything else (pod affinity, terms selecting other pods, other namespaces, other topology keys,
 * {@code minDomains}) is refused with a message naming the field, never ignored.
 */
final class ServiceTranslator {
    /** Kubernetes' default PodTopologySpread constraints, applied to owned pods without their own. */
    static final int DEFAULT_NODE_SKEW = 3;
    static final int DEFAULT_ZONE_SKEW = 5;
    private static final Set<String> REPLICA_OWNERS = Set.of("ReplicaSet", "StatefulSet", "LeaderWorkerSet");
    private static final String SPREAD = "spec.topologySpreadConstraints";
    private static final String ANTI_REQUIRED = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution";
    private static final String ANTI_PREFERRED = "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution";

    private final String rackLabel;

    ServiceTranslator(String rackLabel) {
        this.rackLabel = rackLabel;
    }

    /** The pod's service constraints; refuses any term Gantry cannot honour. */
    ServiceConstraints constraints(Pod pod, String name) {
        refusePodAffinity(pod, name);
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String namespace = pod.getMetadata().getNamespace();
        Terms terms = new Terms(name, namespace);
        List<TopologySpreadConstraint> spread = pod.getSpec().getTopologySpreadConstraints();
        if (spread != null) {
            for (int i = 0; i < spread.size(); i++) {
                addSpread(terms, spread.get(i), SPREAD + "[" + i + "]", labels);
            }
        }
        PodAntiAffinity anti = pod.getSpec().getAffinity() == null ? null : pod.getSpec().getAffinity().getPodAntiAffinity();
        if (anti != null) {
            List<PodAffinityTerm> required = anti.getRequiredDuringSchedulingIgnoredDuringExecution();
            if (required != null) {
                for (int i = 0; i < required.size(); i++) {
                    String field = ANTI_REQUIRED + "[" + i + "]";
                    checkHostnameSelf(required.get(i), field, labels, terms);
                    terms.maxPerNode = 1;
                }
            }
            List<WeightedPodAffinityTerm> preferred = anti.getPreferredDuringSchedulingIgnoredDuringExecution();
            if (preferred != null) {
                for (int i = 0; i < preferred.size(); i++) {
                    String field = ANTI_PREFERRED + "[" + i + "].podAffinityTerm";
                    checkHostnameSelf(preferred.get(i).getPodAffinityTerm(), field, labels, terms);
                    terms.add(SpreadConstraint.scheduleAnyway(SpreadLevel.NODE, 1));
                }
            }
        }
        if (terms.service != null) {
            return new ServiceConstraints(terms.service, terms.maxPerNode, terms.spread);
        }
        OwnerReference owner = replicaOwner(pod);
        if (owner == null) {
            return ServiceConstraints.NONE;
        }
        return new ServiceConstraints(ownerService(namespace, owner), ServiceConstraints.NO_CAP, List.of(
                SpreadConstraint.scheduleAnyway(SpreadLevel.NODE, DEFAULT_NODE_SKEW),
                SpreadConstraint.scheduleAnyway(SpreadLevel.ZONE, DEFAULT_ZONE_SKEW)));
    }

    /**
     * The service a pod bound by anyone counts towards, without constraints (they bind no one already
     * placed). Lenient: a pod whose terms Gantry cannot translate still counts by its owner.
     */
    ServiceConstraints serviceOfBound(Pod pod, String name) {
        try {
            ServiceConstraints c = constraints(pod, name);
            return c.hasService() ? new ServiceConstraints(c.service(), ServiceConstraints.NO_CAP, List.of()) : c;
        } catch (TranslationException e) {
            OwnerReference owner = replicaOwner(pod);
            return owner == null ? ServiceConstraints.NONE
                    : new ServiceConstraints(ownerService(pod.getMetadata().getNamespace(), owner), ServiceConstraints.NO_CAP, List.of());
        }
    }

    private void addSpread(Terms terms, TopologySpreadConstraint c, String field, Map<String, String> labels) {
        if (c.getMinDomains() != null && c.getMinDomains() > 1) {
            throw new TranslationException("pod", terms.pod, field + ".minDomains", "of " + c.getMinDomains() + " is not supported by Gantry yet");
        }
        if ("Ignore".equals(c.getNodeAffinityPolicy())) {
            throw new TranslationException("pod", terms.pod, field + ".nodeAffinityPolicy", "Ignore is not supported by Gantry yet");
        }
        if (c.getMaxSkew() == null || c.getMaxSkew() < 1) {
            throw new TranslationException("pod", terms.pod, field + ".maxSkew", "must be at least 1, got " + c.getMaxSkew());
        }
        SpreadLevel level = level(c.getTopologyKey());
        if (level == null) {
            throw new TranslationException("pod", terms.pod, field + ".topologyKey", "\"" + c.getTopologyKey()
                    + "\" is not supported by Gantry yet (kubernetes.io/hostname, topology.kubernetes.io/zone or " + rackLabel + ")");
        }
        String when = c.getWhenUnsatisfiable();
        boolean hard;
        if ("DoNotSchedule".equals(when)) {
            hard = true;
        } else if ("ScheduleAnyway".equals(when)) {
            hard = false;
        } else {
            throw new TranslationException("pod", terms.pod, field + ".whenUnsatisfiable", "must be DoNotSchedule or ScheduleAnyway, got \"" + when + "\"");
        }
        TreeMap<String, String> selector = selector(c.getLabelSelector(), field + ".labelSelector", labels, terms.pod);
        if (c.getMatchLabelKeys() != null) {
            for (String key : c.getMatchLabelKeys()) {
                String value = labels.get(key);
                if (value != null) {
                    selector.put(key, "=" + value);
                }
            }
        }
        terms.select(selector, field + ".labelSelector");
        terms.add(new SpreadConstraint(level, c.getMaxSkew(), hard));
    }

    private void checkHostnameSelf(PodAffinityTerm term, String field, Map<String, String> labels, Terms terms) {
        if (term == null) {
            throw new TranslationException("pod", terms.pod, field, "must not be empty");
        }
        if (!SpreadLevel.NODE.kubernetesKey().equals(term.getTopologyKey())) {
            throw new TranslationException("pod", terms.pod, field + ".topologyKey", "\"" + term.getTopologyKey()
                    + "\" is not supported by Gantry yet (only kubernetes.io/hostname)");
        }
        if ((term.getNamespaces() != null && !term.getNamespaces().isEmpty()
                && !(term.getNamespaces().size() == 1 && term.getNamespaces().get(0).equals(terms.namespace)))
                || term.getNamespaceSelector() != null) {
            throw new TranslationException("pod", terms.pod, field + ".namespaces", "other than the pod's own namespace are not supported by Gantry yet");
        }
        TreeMap<String, String> selector = selector(term.getLabelSelector(), field + ".labelSelector", labels, terms.pod);
        if (term.getMatchLabelKeys() != null) {
            for (String key : term.getMatchLabelKeys()) {
                String value = labels.get(key);
                if (value != null) {
                    selector.put(key, "=" + value);
                }
            }
        }
        terms.select(selector, field + ".labelSelector");
    }

    /**
     * The selector in a canonical form (key to "=value" or "op(values)", sorted), checked to select the
     * pod itself: the core counts the pod's own replicas only.
     */
    private static TreeMap<String, String> selector(LabelSelector selector, String field, Map<String, String> labels, String pod) {
        if (selector == null || ((selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty()))) {
            throw new TranslationException("pod", pod, field, "must select the pod's replicas (an empty selector counts every pod, "
                    + "which Gantry does not support yet)");
        }
        TreeMap<String, String> canonical = new TreeMap<>();
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(labels.get(e.getKey()))) {
                    throw notSelf(pod, field + ".matchLabels[" + e.getKey() + "]", e.getKey() + "=" + e.getValue());
                }
                canonical.put(e.getKey(), "=" + e.getValue());
            }
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement r = expressions.get(i);
            String at = field + ".matchExpressions[" + i + "]";
            List<String> values = r.getValues() == null ? List.of() : new ArrayList<>(r.getValues());
            values.sort(null);
            String value = labels.get(r.getKey());
            boolean matches = switch (r.getOperator() == null ? "" : r.getOperator()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new TranslationException("pod", pod, at + ".operator", "must be In, NotIn, Exists or DoesNotExist, got \""
                        + r.getOperator() + "\"");
            };
            if (!matches) {
                throw notSelf(pod, at, r.getKey() + " " + r.getOperator() + " " + values);
            }
            canonical.merge(r.getKey(), r.getOperator() + values, (a, b) -> a + "&" + b);
        }
        return canonical;
    }

    private static TranslationException notSelf(String pod, String field, String term) {
        return new TranslationException("pod", pod, field, "(" + term + ") does not select the pod itself; Gantry counts a pod's own "
                + "replicas only and does not support terms about other pods yet");
    }

    private SpreadLevel level(String topologyKey) {
        if (SpreadLevel.NODE.kubernetesKey().equals(topologyKey)) {
            return SpreadLevel.NODE;
        }
        if (SpreadLevel.ZONE.kubernetesKey().equals(topologyKey)) {
            return SpreadLevel.ZONE;
        }
        return rackLabel.equals(topologyKey) ? SpreadLevel.RACK : null;
    }

    private static void refusePodAffinity(Pod pod, String name) {
        if (pod.getSpec().getAffinity() == null || pod.getSpec().getAffinity().getPodAffinity() == null) {
            return;
        }
        var affinity = pod.getSpec().getAffinity().getPodAffinity();
        if (affinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null
                && !affinity.getRequiredDuringSchedulingIgnoredDuringExecution().isEmpty()) {
            throw new TranslationException("pod", name, "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution",
                    "is not supported by Gantry yet");
        }
        if (affinity.getPreferredDuringSchedulingIgnoredDuringExecution() != null
                && !affinity.getPreferredDuringSchedulingIgnoredDuringExecution().isEmpty()) {
            throw new TranslationException("pod", name, "spec.affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution",
                    "is not supported by Gantry yet");
        }
    }

    private static OwnerReference replicaOwner(Pod pod) {
        List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
        if (owners == null) {
            return null;
        }
        for (OwnerReference owner : owners) {
            if (Boolean.TRUE.equals(owner.getController()) && REPLICA_OWNERS.contains(owner.getKind())) {
                return owner;
            }
        }
        return null;
    }

    private static String ownerService(String namespace, OwnerReference owner) {
        return namespace + "/" + owner.getKind() + "/" + owner.getName();
    }

    /** The terms of one pod, which must agree on one selector: that selector is the service. */
    private static final class Terms {
        final String pod;
        final String namespace;
        String service;
        String serviceField;
        int maxPerNode = ServiceConstraints.NO_CAP;
        final List<SpreadConstraint> spread = new ArrayList<>();

        Terms(String pod, String namespace) {
            this.pod = pod;
            this.namespace = namespace;
        }

        void select(TreeMap<String, String> selector, String field) {
            String key = namespace + "/" + selector;
            if (service == null) {
                service = key;
                serviceField = field;
            } else if (!service.equals(key)) {
                throw new TranslationException("pod", pod, field, "selects other pods than " + serviceField
                        + "; Gantry supports one replica set per pod and needs every spread and anti-affinity term to use one selector");
            }
        }

        /** The core keeps one constraint per level: a hard one wins over a soft one, else the smaller skew. */
        void add(SpreadConstraint constraint) {
            for (int i = 0; i < spread.size(); i++) {
                SpreadConstraint other = spread.get(i);
                if (other.level() == constraint.level()) {
                    boolean stricter = constraint.hard() != other.hard() ? constraint.hard() : constraint.maxSkew() < other.maxSkew();
                    if (stricter) {
                        spread.set(i, constraint);
                    }
                    return;
                }
            }
            spread.add(constraint);
        }
    }
}
