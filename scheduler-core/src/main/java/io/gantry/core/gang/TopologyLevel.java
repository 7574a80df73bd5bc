package io.gantry.core.gang;

import io.gantry.core.model.Topology;

/** The failure or bandwidth domain a gang wants its members in. */
public enum TopologyLevel {
    /** No preference beyond using few nodes. */
    NONE,
    /** All members on one node. */
    NODE,
    /** One NVLink domain ({@code nvidia.com/gpu.clique}). */
    NVLINK,
    /** One rack or block. */
    RACK,
    /** One zone. */
    ZONE;

    /** The domain value of a node at this level; "" when the node is not labelled at this level. */
    public String domainOf(String nodeName, Topology topology) {
        return switch (this) {
            case NONE -> "";
            case NODE -> nodeName;
            case NVLINK -> topology.nvlinkDomain();
            case RACK -> topology.rack();
            case ZONE -> topology.zone();
        };
    }
}
