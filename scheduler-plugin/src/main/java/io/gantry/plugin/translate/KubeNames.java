package io.gantry.plugin.translate;

/** The label, annotation and resource names Gantry reads and writes, in one place. */
public final class KubeNames {
    /** The extended resource of the NVIDIA device plugin. */
    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    /** GPU Feature Discovery: product name of the node's GPUs. */
    public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
    /** GPU Feature Discovery: memory of each GPU in MiB. */
    public static final String GPU_MEMORY_LABEL = "nvidia.com/gpu.memory";
    /** GPU Feature Discovery: the NVLink (NVL72 and similar) clique of the node. */
    public static final String GPU_CLIQUE_LABEL = "nvidia.com/gpu.clique";
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    /** Default rack / block label; the config may name another. */
    public static final String DEFAULT_RACK_LABEL = "topology.gantry.io/rack";

    /** Fractional share of one GPU, 1..999 thousandths. */
    public static final String GPU_MILLI_ANNOTATION = "gantry.io/gpu-milli";
    /** Acceptable GPU models, {@code A|B}. */
    public static final String GPU_MODELS_ANNOTATION = "gantry.io/gpu-models";
    /** Written on bind: the GPU indexes chosen, {@code 0,3}, for device plugins that honour them. */
    public static final String GPU_INDEXES_ANNOTATION = "gantry.io/gpu-indexes";
    public static final String QUEUE_LABEL = "gantry.io/queue";
    public static final String KUEUE_QUEUE_LABEL = "kueue.x-k8s.io/queue-name";
    /** {@code training} or {@code inference}. */
    public static final String WORKLOAD_LABEL = "gantry.io/workload";
    /** The coscheduling plugin's pod label naming the pod's PodGroup. */
    public static final String POD_GROUP_LABEL = "scheduling.x-k8s.io/pod-group";
    /** PodGroup annotation: the domain members should share, {@code zone | rack | nvlink}. */
    public static final String TOPOLOGY_ANNOTATION = "gantry.io/topology";
    /** PodGroup annotation: {@code required} or {@code preferred} (the default). */
    public static final String TOPOLOGY_MODE_ANNOTATION = "gantry.io/topology-mode";

    private KubeNames() {
    }

    /** Annotation field path as users see it in messages. */
    static String annotation(String key) {
        return "metadata.annotations[" + key + "]";
    }

    static String label(String key) {
        return "metadata.labels[" + key + "]";
    }
}
