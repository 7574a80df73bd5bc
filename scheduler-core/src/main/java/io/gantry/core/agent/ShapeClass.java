package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.state.PlacementRequest;

import java.util.Arrays;
import java.util.Objects;

/**
 * Pods that fit exactly the same nodes: same request, acceptable GPU models, node selector,
 * tolerations and service constraints (replicas of one service count against each other only). Parked pods are filed by class, so an event that frees capacity on a node tests one
 * pod per class, not every parked pod.
 *
 * <p>While anything waits on the class (parked pods, pods woken and not yet decided, gangs of this
 * member shape waiting for room) it is filed in the {@link ShapeWakeIndex}, and every node that frees
 * room it fits is noted here: that is what lets a woken pod fail without a full decision, and a gang
 * sleep until enough room could exist.
 */
final class ShapeClass {
    /** Nodes noted since the class was last known to fit nowhere; more and the knowledge is dropped. */
    static final int MAX_NODES_NOTED = 32;

    final int id;
    final ResourceRequest request;
    final PodSpec example;
    /** The class's fit test against a node, prepared once (re-prepared when GPU models are added). */
    final PlacementRequest probe;
    ShapeClass nextWithSameHash;
    /** Why pods of this class last failed to fit, shared by them; null until one fails. */
    String reason;
    long explainedAt;

    /** Parked pods, woken pods not yet decided, and gangs filed by room: while > 0 the class is in the wake index. */
    int waiters;
    /** Buckets of the wake index holding this class, and its slot in each. */
    int[] filedBuckets = new int[2];
    int[] filedSlots = new int[2];
    int filedCount;

    /**
     * True when no node fit a pod of this class of priority {@link #unfitPriority} (nor lower, which
     * passes fewer kept nodes) at the last full decision, and every node that could fit it since is in
     * {@link #nodesNoted}. Reset whenever the class leaves the wake index (wake-ups stop noting nodes).
     */
    boolean unfitKnown;
    int unfitPriority;
    int[] nodesNoted = new int[MAX_NODES_NOTED];
    int nodesNotedCount;

    /**
     * Sum over wake-ups since the class entered the index of the copies each woken node could hold
     * then: an upper bound on the room gained, which gangs of this member shape compare with what they
     * were short of (see {@link SchedulerAgent}). Monotone.
     */
    long roomSeen;
    /** Gang needs a failed plan is remembered for: 1 .. GANG_MEMO_NEEDS - 1. */
    static final int GANG_MEMO_NEEDS = 17;
    /**
     * Per need: the cluster state's change count and the agent's kept-node version at the last failed
     * plan of a gang of this member shape that owned no kept node (-1: none), the room it found, and
     * its priority. While both counts stand, a gang of that need and priority owning no kept node
     * would find exactly that room.
     */
    final long[] gangMemoChanges = new long[GANG_MEMO_NEEDS];
    final long[] gangMemoKept = new long[GANG_MEMO_NEEDS];
    final int[] gangMemoRoom = new int[GANG_MEMO_NEEDS];
    final int[] gangMemoPriority = new int[GANG_MEMO_NEEDS];

    {
        Arrays.fill(gangMemoChanges, -1);
    }

    void forgetGangMemo() {
        Arrays.fill(gangMemoChanges, -1);
    }

    /** Gangs of this member shape waiting for room, a min-heap on {@link GangRecord#roomThreshold}. */
    final GangHeap gangsByThreshold = new GangHeap(4) {
        @Override
        boolean precedes(GangRecord a, GangRecord b) {
            return a.roomThreshold < b.roomThreshold;
        }

        @Override
        int indexOf(GangRecord gang) {
            return gang.roomHeapIndex;
        }

        @Override
        void setIndex(GangRecord gang, int index) {
            gang.roomHeapIndex = index;
        }
    };

    /** Training arrivals of this class, halved every learning window ({@link TaskShapeLearner}). */
    double recentArrivals;
    /** Inference replicas of this class alive now, pending or placed ({@link TaskShapeLearner}). */
    int liveReplicas;

    ShapeClass(int id, PodSpec example, PlacementRequest probe) {
        this.id = id;
        this.request = example.request();
        this.example = example;
        this.probe = probe;
    }

    static long hash(PodSpec spec) {
        ResourceRequest r = spec.request();
        long h = r.cpuMilli() * 31 + r.memoryBytes();
        h = h * 31 + r.gpus();
        h = h * 31 + r.gpuMilli();
        h = h * 31 + r.gpuMemoryBytes();
        h = h * 31 + spec.gpuModels().hashCode();
        h = h * 31 + spec.nodeSelector().hashCode();
        h = h * 31 + spec.tolerations().hashCode();
        h = h * 31 + spec.service().hashCode();
        return h;
    }

    boolean matches(PodSpec spec) {
        return request.equals(spec.request()) && example.gpuModels().equals(spec.gpuModels())
                && example.nodeSelector().equals(spec.nodeSelector()) && Objects.equals(example.tolerations(), spec.tolerations())
                && example.service().equals(spec.service());
    }

    // ------------------------------------------------------------------ fit knowledge

    /** A full decision for a pod of {@code priority} found no node: start noting nodes afresh. */
    void knowUnfit(int priority) {
        unfitKnown = true;
        unfitPriority = priority;
        nodesNotedCount = 0;
    }

    void forgetUnfit() {
        unfitKnown = false;
        nodesNotedCount = 0;
    }

    /** {@code node} gained room this class fits. */
    void noteNode(int node) {
        if (!unfitKnown) {
            return;
        }
        for (int i = 0; i < nodesNotedCount; i++) {
            if (nodesNoted[i] == node) {
                return;
            }
        }
        if (nodesNotedCount == MAX_NODES_NOTED) {
            forgetUnfit(); // too much changed: the next pod decides in full
            return;
        }
        nodesNoted[nodesNotedCount++] = node;
    }

    // ------------------------------------------------------------------ gangs waiting for room

    void addGang(GangRecord gang) {
        gang.roomShape = this;
        gangsByThreshold.add(gang);
    }

    void removeGang(GangRecord gang) {
        gangsByThreshold.remove(gang);
        gang.roomShape = null;
    }

    /** The gang with the lowest threshold, or null. */
    GangRecord firstGang() {
        return gangsByThreshold.first();
    }

    @Override
    public String toString() {
        return "ShapeClass[" + id + " " + request + "]";
    }
}
