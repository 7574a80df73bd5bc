package io.gantry.plugin.translate;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.model.InvalidSpecException;

import java.util.Locale;
import java.util.Map;

/**
 * A PodGroup into a {@link GangSpec}: {@code spec.minMember}, {@code spec.scheduleTimeoutSeconds} (the
 * configured default when absent), and the topology annotations {@code gantry.io/topology} and
 * {@code gantry.io/topology-mode}.
 */
public final class GangTranslator {
    private final long defaultTimeoutSeconds;

    public GangTranslator(long defaultTimeoutSeconds) {
        this.defaultTimeoutSeconds = defaultTimeoutSeconds;
    }

    public static String key(PodGroup group) {
        return group.getMetadata().getNamespace() + "/" + group.getMetadata().getName();
    }

    public GangSpec translate(PodGroup group) {
        String key = key(group);
        PodGroup.Spec spec = group.getSpec();
        if (spec == null || spec.getMinMember() == null) {
            throw new TranslationException("PodGroup", key, "spec.minMember", "must be set");
        }
        int minMember = spec.getMinMember();
        if (minMember < 1) {
            throw new TranslationException("PodGroup", key, "spec.minMember", "must be at least 1, got " + minMember);
        }
        long timeoutSeconds = defaultTimeoutSeconds;
        if (spec.getScheduleTimeoutSeconds() != null) {
            timeoutSeconds = spec.getScheduleTimeoutSeconds();
            if (timeoutSeconds < 0) {
                throw new TranslationException("PodGroup", key, "spec.scheduleTimeoutSeconds",
                        "must not be negative, got " + timeoutSeconds);
            }
        }
        Map<String, String> annotations = group.getMetadata().getAnnotations() == null ? Map.of() : group.getMetadata().getAnnotations();
        TopologyLevel level = TopologyLevel.NONE;
        String topology = annotations.get(KubeNames.TOPOLOGY_ANNOTATION);
        if (topology != null && !topology.isBlank()) {
            level = switch (topology.trim().toLowerCase(Locale.ROOT)) {
                case "zone" -> TopologyLevel.ZONE;
                case "rack", "block" -> TopologyLevel.RACK;
                case "nvlink", "clique" -> TopologyLevel.NVLINK;
                case "none" -> TopologyLevel.NONE;
                default -> throw new TranslationException("PodGroup", key, KubeNames.annotation(KubeNames.TOPOLOGY_ANNOTATION),
                        "must be zone, rack or nvlink, got \"" + topology + "\"");
            };
        }
        String mode = annotations.getOrDefault(KubeNames.TOPOLOGY_MODE_ANNOTATION, "preferred").trim();
        boolean required = switch (mode) {
            case "required" -> true;
            case "preferred" -> false;
            default -> throw new TranslationException("PodGroup", key, KubeNames.annotation(KubeNames.TOPOLOGY_MODE_ANNOTATION),
                    "must be required or preferred, got \"" + mode + "\"");
        };
        try {
            return new GangSpec(key, minMember, timeoutSeconds * 1_000_000_000L, level, required);
        } catch (InvalidSpecException e) {
            throw new TranslationException("PodGroup", key, "spec", e.getMessage());
        }
    }
}
