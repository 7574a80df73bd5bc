package io.gantry.core.outbox;

import io.gantry.core.model.PodSpec;

/**
 * Where the agent's decisions go. Called on the agent thread; implementations must not block.
 */
public interface Outbox {

    /**
     * Bind {@code pod} to {@code nodeName}, using the GPUs set in {@code gpuMask} (bit g = GPU g). The
     * placement is already assumed; a {@code BindSucceeded} or {@code BindFailed} event must follow.
     */
    void bind(PodSpec pod, String nodeName, int gpuMask);

    /**
     * Withdraw a bind sent earlier and not carried out yet (a gang sibling failed). A result still
     * follows: {@code BindFailed} when it was withdrawn in time, {@code BindSucceeded} when the bind had
     * already gone through. The default cannot withdraw anything, and the result simply follows.
     */
    default void cancelBind(PodSpec pod) {
    }

    /** Evict {@code pod} to make room for {@code preemptor}; a {@code PodRemoved} event follows when it is gone. */
    void evict(PodSpec pod, String preemptor, String reason);

    /**
     * {@code pod} cannot be scheduled now; {@code message} says why, counted per cause. Called when the
     * reason changes, not on every retry.
     */
    void unschedulable(PodSpec pod, String message);

    /**
     * Whether this outbox reads the {@code message} of {@link #unschedulable}. Counting why a pod does
     * not fit costs a pass over the node classes; a driver that only measures outcomes (the simulator)
     * says no, and gets a short fixed message instead. Decisions are the same either way.
     */
    default boolean wantsReasons() {
        return true;
    }

    /** The gang's phase or counts changed. */
    void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message);

    /** Lifecycle of a gang as reported to users (PodGroup status). */
    enum GangPhase {
        /** Waiting for members or for room for minMember of them. */
        PENDING,
        /** minMember members placed (bindings sent). */
        SCHEDULED,
        /** Waited longer than its schedule timeout; still pending, holds no reservation. */
        TIMED_OUT
    }
}
