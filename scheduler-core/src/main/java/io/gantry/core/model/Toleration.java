package io.gantry.core.model;

/**
 * A pod toleration with the Kubernetes matching rules: an empty key with {@code exists} tolerates
 * every taint; a null effect matches every effect.
 *
 * @param key    taint key, or "" to match every key (only with {@code exists})
 * @param exists true for operator Exists (value ignored), false for Equal
 * @param value  value compared under Equal
 * @param effect effect matched, or null for all effects
 */
public record Toleration(String key, boolean exists, String value, TaintEffect effect) {
    public Toleration {
        key = key == null ? "" : key;
        value = value == null ? "" : value;
    }

    public static Toleration exists(String key) {
        return new Toleration(key, true, "", null);
    }

    public static Toleration equal(String key, String value, TaintEffect effect) {
        return new Toleration(key, false, value, effect);
    }

    public boolean tolerates(Taint taint) {
        if (effect != null && effect != taint.effect()) {
            return false;
        }
        if (key.isEmpty()) {
            return exists;
        }
        if (!key.equals(taint.key())) {
            return false;
        }
        return exists || value.equals(taint.value());
    }
}
