package io.gantry.core.state;

/**
 * Why a pod does not fit one node, in the order the checks run; a node is counted under the first
 * cause that applies. Each cause says, for a count of nodes, something a person can act on.
 */
public enum UnfitCause {
    OUTSIDE_POOL("node is outside the preferred node pool being tried", "nodes are outside the preferred node pool being tried"),
    OUTSIDE_DOMAIN("node is outside the topology domain being tried", "nodes are outside the topology domain being tried"),
    RESERVED("node is reserved for a waiting gang", "nodes are reserved for a waiting gang"),
    CORDONED("node is cordoned", "nodes are cordoned"),
    TAINT_NOT_TOLERATED("node has a taint the pod does not tolerate", "nodes have taints the pod does not tolerate"),
    NODE_SELECTOR_MISMATCH("node does not match the pod's node selector", "nodes do not match the pod's node selector"),
    NO_GPU("node has no GPU", "nodes have no GPU"),
    GPU_MODEL_MISMATCH("node lacks an acceptable GPU model", "nodes lack an acceptable GPU model"),
    GPU_MEMORY_TOO_SMALL("node's GPUs have too little memory", "nodes have GPUs with too little memory"),
    TOO_FEW_FREE_GPUS("node has too few fully free GPUs", "nodes have too few fully free GPUs"),
    NO_GPU_SHARE_LEFT("node has no GPU with enough share left", "nodes have no GPU with enough share left"),
    INSUFFICIENT_CPU("node has too little free CPU", "nodes have too little free CPU"),
    INSUFFICIENT_MEMORY("node has too little free memory", "nodes have too little free memory"),
    SERVICE_CAP("node already has the service's most replicas per node", "nodes already have the service's most replicas per node"),
    SPREAD_LABEL_MISSING("node lacks the topology label of a DoNotSchedule spread constraint",
            "nodes lack the topology label of a DoNotSchedule spread constraint"),
    SPREAD_SKEW("node would break a DoNotSchedule spread constraint's maxSkew",
            "nodes would break a DoNotSchedule spread constraint's maxSkew");

    private final String one;
    private final String many;

    UnfitCause(String one, String many) {
        this.one = one;
        this.many = many;
    }

    /** "1 node is cordoned", "8 nodes lack an acceptable GPU model". */
    public String describe(int nodes) {
        return nodes == 1 ? "1 " + one : nodes + " " + many;
    }

    static final UnfitCause[] VALUES = values();
}
