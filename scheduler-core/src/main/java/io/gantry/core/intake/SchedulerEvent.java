package io.gantry.core.intake;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.queue.QueueSpec;

/**
 * Everything the agent is told. Immutable, so a producer can reuse one instance for the same fact.
 * Pods are named by the id in their {@link PodSpec}; nodes by name; gangs and queues by key.
 */
public sealed interface SchedulerEvent {

    /** A pod that Gantry should schedule (unbound, not gated). */
    record PodAdded(PodSpec pod) implements SchedulerEvent {
    }

    /**
     * A pod already bound to {@code nodeName} by someone (another scheduler, or Gantry before a restart):
     * its resources count against the node; Gantry never moves it.
     */
    record PodBound(PodSpec pod, String nodeName, int gpuMask) implements SchedulerEvent {
    }

    /** A pod is gone or finished ({@code succeeded} when it completed successfully); its resources are free. */
    record PodRemoved(long podId, boolean succeeded) implements SchedulerEvent {
    }

    record NodeAdded(NodeSpec node) implements SchedulerEvent {
    }

    record NodeUpdated(NodeSpec node) implements SchedulerEvent {
    }

    record NodeRemoved(String nodeName) implements SchedulerEvent {
    }

    /** A gang (PodGroup) was created or changed. */
    record GangUpdated(GangSpec gang) implements SchedulerEvent {
    }

    record GangRemoved(String gangKey) implements SchedulerEvent {
    }

    /** A queue was created or its quota changed. */
    record QueueUpdated(QueueSpec queue) implements SchedulerEvent {
    }

    /** The API accepted the binding the agent asked for. */
    record BindSucceeded(long podId) implements SchedulerEvent {
    }

    /** The binding failed for good (after the binder's own retries); the placement is rolled back. */
    record BindFailed(long podId, String reason) implements SchedulerEvent {
    }

    /**
     * The API refused to evict a victim (a PodDisruptionBudget said no): it stays, is not chosen again for
     * a while, and its preemptor looks for other victims.
     */
    record EvictionRefused(long podId, String reason) implements SchedulerEvent {
    }
}
