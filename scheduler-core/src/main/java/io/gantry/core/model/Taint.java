package io.gantry.core.model;

import java.util.Objects;

/** A node taint: pods that do not tolerate it are not placed there (unless the effect only prefers). */
public record Taint(String key, String value, TaintEffect effect) {
    public Taint {
        Objects.requireNonNull(key, "taint key");
        Objects.requireNonNull(effect, "taint effect");
        value = value == null ? "" : value;
    }

    /** Whether this taint keeps pods without a matching toleration off the node. */
    public boolean repels() {
        return effect != TaintEffect.PREFER_NO_SCHEDULE;
    }
}
