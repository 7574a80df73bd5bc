package io.gantry.core.agent;

import io.gantry.core.model.WorkloadClass;

/**
 * Node pools each workload class prefers, by one node label: with {@code gantry.io/pool} as the key,
 * training prefers nodes labelled {@code gantry.io/pool=training} and inference those labelled
 * {@code gantry.io/pool=inference}, so long-running inference replicas do not fragment the nodes
 * gangs need. A preference, not a filter: when no node of the pool fits, the pod (or gang) overflows to
 * any node, as if no pool were set.
 *
 * @param labelKey       the node label that names a node's pool; "" for no pools
 * @param trainingPool   the label value training prefers, or "" for none
 * @param inferencePool  the label value inference prefers, or "" for none
 */
public record NodePools(String labelKey, String trainingPool, String inferencePool) {
    public static final NodePools NONE = new NodePools("", "", "");

    public NodePools {
        labelKey = labelKey == null ? "" : labelKey;
        trainingPool = trainingPool == null ? "" : trainingPool;
        inferencePool = inferencePool == null ? "" : inferencePool;
        if (labelKey.isEmpty() && !(trainingPool.isEmpty() && inferencePool.isEmpty())) {
            throw new IllegalArgumentException("node pools: labelKey must be set when a pool is named (training \""
                    + trainingPool + "\", inference \"" + inferencePool + "\")");
        }
    }

    /** The pool {@code workloadClass} prefers, or "" for none. */
    public String poolFor(WorkloadClass workloadClass) {
        return workloadClass == WorkloadClass.INFERENCE ? inferencePool : trainingPool;
    }
}
