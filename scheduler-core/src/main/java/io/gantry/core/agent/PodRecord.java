package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.queue.QueuedUnit;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

/**
 * What the agent knows of one pod. Pooled: the agent reuses records (and their placement requests)
 * for new pods so that steady-state intake allocates nothing.
 */
final class PodRecord extends QueuedUnit {
    /** Waiting to be placed. */
    static final int PENDING = 0;
    /** Placed in the state, binding sent, not yet confirmed. */
    static final int ASSUMED = 1;
    /** Binding confirmed. */
    static final int BOUND = 2;
    /** Bound by someone else (or before a restart); counts against its node, never moved by us. */
    static final int EXTERNAL = 3;

    PodSpec spec;
    PlacementRequest request;
    int status;
    int node = ClusterState.NO_NODE;
    int gpuMask;
    GangRecord gang;
    ShapeClass shape;
    /** Eviction asked; the pod still holds its resources until it is removed. */
    boolean evicting;
    /** Until then (agent clock) it is not chosen as a victim: its eviction was refused. */
    long protectedUntil;
    /** An evicting pod that no longer holds resources (its bind failed before it was removed). */
    boolean victimReleased;
    /** This pod's preemption is waiting for that many victims to go; it starts no other preemption meanwhile. */
    int victimsPending;
    /** Its bind was asked to be withdrawn because a gang sibling failed; its result is still due. */
    boolean cancelRequested;
    /** Some node is kept for this pod while its victims leave. */
    boolean nominated;
    /** The preemptor this pod is a victim of, while evicting. */
    PodRecord preemptor;
    GangRecord gangPreemptor;
    String lastReason;
    /** GPU claimed in its queue by this pod's preemption in flight. */
    long claimedGpu;
    /**
     * The node whose room woke this pod ({@link io.gantry.core.state.ClusterState#NO_NODE} when none):
     * once the pod is decided, that node's room is offered to the next parked pod that fits there.
     */
    int wokenFor = io.gantry.core.state.ClusterState.NO_NODE;
    /** Woken from its shape class's parked pods and not decided yet: it still counts as a waiter of the class. */
    boolean wokenUndecided;
    /** Counted in its shape class's live inference replicas by the {@link TaskShapeLearner}. */
    boolean countedLive;

    void reset(PodSpec spec, PlacementRequest request, int queue, long arrivalSeq) {
        this.spec = spec;
        this.request = request;
        this.priority = spec.priority();
        this.queue = queue;
        this.arrivalSeq = arrivalSeq;
        this.status = PENDING;
        this.node = ClusterState.NO_NODE;
        this.gpuMask = 0;
        this.gang = null;
        this.shape = null;
        this.evicting = false;
        this.protectedUntil = 0;
        this.victimReleased = false;
        this.victimsPending = 0;
        this.nominated = false;
        this.cancelRequested = false;
        this.preemptor = null;
        this.gangPreemptor = null;
        this.lastReason = null;
        this.claimedGpu = 0;
        this.wokenUndecided = false;
        this.wokenFor = io.gantry.core.state.ClusterState.NO_NODE;
        this.countedLive = false;
    }

    void setPriority(int value) {
        priority = value;
    }

    boolean isPlaced() {
        return status == ASSUMED || status == BOUND || status == EXTERNAL;
    }

    long id() {
        return spec.id();
    }

    @Override
    public long gpuMilliAsked() {
        return request.totalGpuMilli();
    }

    @Override
    public long cpuMilliAsked() {
        return request.cpuMilli();
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public String toString() {
        return "pod " + spec.name();
    }
}
