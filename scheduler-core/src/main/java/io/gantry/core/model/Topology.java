package io.gantry.core.model;

/**
 * Where a node sits. Empty strings mean "not labelled"; two nodes share a domain only when both
 * carry the same non-empty value.
 *
 * @param zone          availability zone ({@code topology.kubernetes.io/zone})
 * @param rack          rack or block (a configurable label)
 * @param nvlinkDomain  NVLink domain or clique ({@code nvidia.com/gpu.clique})
 */
public record Topology(String zone, String rack, String nvlinkDomain) {
    public static final Topology NONE = new Topology("", "", "");

    public Topology {
        zone = zone == null ? "" : zone;
        rack = rack == null ? "" : rack;
        nvlinkDomain = nvlinkDomain == null ? "" : nvlinkDomain;
    }
}
