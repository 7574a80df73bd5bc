package io.gantry.core.model;

/**
 * The topology a spread constraint counts replicas over: each distinct value of the level's node
 * label is one domain (Kubernetes' {@code topologyKey}).
 */
public enum SpreadLevel {
    /** Each node is its own domain ({@code kubernetes.io/hostname}). */
    NODE("kubernetes.io/hostname"),
    /** Availability zone ({@code topology.kubernetes.io/zone}, {@link Topology#zone()}). */
    ZONE("topology.kubernetes.io/zone"),
    /** Rack or block ({@link Topology#rack()}). */
    RACK("rack");

    private final String kubernetesKey;

    SpreadLevel(String kubernetesKey) {
        this.kubernetesKey = kubernetesKey;
    }

    /** The node label Kubernetes uses for this level; what the plugin maps {@code topologyKey} from. */
    public String kubernetesKey() {
        return kubernetesKey;
    }
}
