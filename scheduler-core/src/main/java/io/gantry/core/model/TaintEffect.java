package io.gantry.core.model;

/** What a taint does to pods that do not tolerate it. */
public enum TaintEffect {
    /** New pods are not placed on the node. */
    NO_SCHEDULE,
    /** New pods are not placed, and running ones are evicted. For placement it acts as NO_SCHEDULE. */
    NO_EXECUTE,
    /** The scheduler avoids the node but may still use it; never a reason to reject. */
    PREFER_NO_SCHEDULE
}
