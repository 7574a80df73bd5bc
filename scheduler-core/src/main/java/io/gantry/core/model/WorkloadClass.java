package io.gantry.core.model;

/** The kind of work a pod does, which decides the placement policy used for it. */
public enum WorkloadClass {
    /** Batch work, often gangs of many GPUs; packing matters most. */
    TRAINING,
    /** Long-running serving replicas; spreading over failure domains matters most. */
    INFERENCE
}
