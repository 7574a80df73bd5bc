package io.gantry.plugin.translate;

import io.gantry.core.model.TaintEffect;
import io.gantry.core.model.Toleration;

import java.util.ArrayList;
import java.util.List;

/** Taint effects and pod tolerations with the Kubernetes spellings. */
final class Tolerations {
    private Tolerations() {
    }

    /** {@code NoSchedule | PreferNoSchedule | NoExecute}; null or empty only where {@code emptyMeansAll}. */
    static TaintEffect effect(String effect, String kind, String object, String field, boolean emptyMeansAll) {
        if (effect == null || effect.isEmpty()) {
            if (emptyMeansAll) {
                return null;
            }
            throw new TranslationException(kind, object, field, "must be set");
        }
        return switch (effect) {
            case "NoSchedule" -> TaintEffect.NO_SCHEDULE;
            case "PreferNoSchedule" -> TaintEffect.PREFER_NO_SCHEDULE;
            case "NoExecute" -> TaintEffect.NO_EXECUTE;
            default -> throw new TranslationException(kind, object, field,
                    "must be NoSchedule, PreferNoSchedule or NoExecute, got \"" + effect + "\"");
        };
    }

    static List<Toleration> of(List<io.fabric8.kubernetes.api.model.Toleration> tolerations, String pod) {
        if (tolerations == null) {
            return List.of();
        }
        List<Toleration> out = new ArrayList<>(tolerations.size());
        for (int i = 0; i < tolerations.size(); i++) {
            io.fabric8.kubernetes.api.model.Toleration t = tolerations.get(i);
            String field = "spec.tolerations[" + i + "]";
            String operator = t.getOperator() == null || t.getOperator().isEmpty() ? "Equal" : t.getOperator();
            boolean exists;
            if (operator.equals("Exists")) {
                exists = true;
            } else if (operator.equals("Equal")) {
                exists = false;
            } else {
                throw new TranslationException("pod", pod, field + ".operator", "must be Exists or Equal, got \"" + operator + "\"");
            }
            String key = t.getKey() == null ? "" : t.getKey();
            if (key.isEmpty() && !exists) {
                throw new TranslationException("pod", pod, field + ".key", "must be set when the operator is Equal");
            }
            out.add(new Toleration(key, exists, t.getValue(), effect(t.getEffect(), "pod", pod, field + ".effect", true)));
        }
        return out;
    }
}
