package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.queue.QueueBook;
import io.gantry.core.queue.QueuedUnit;
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
 * sleep until enough room exists.
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
     * A pod of this class woken by the room on this node failed although the class still fits the node
     * (the pod's own fit test disagreed with the class's): the node is not offered to the class again
     * while the cluster state's change count is this one, so an offer chain cannot spin.
     */
    int offerRefusedNode = -1;
    long offerRefusedChange = -1;

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

    /**
     * The class's room over the cluster, counted while gangs of this member shape wait for it (see
     * {@link ShapeRoom}); null until the first such gang.
     */
    ShapeRoom room;
    /**
     * Gangs of this member shape waiting for room, by family ({@link #UNKEPT}: they may use only nodes
     * nobody keeps; {@link #ANY}: kept nodes too) and by the copies they need; within one need, a heap
     * in queue order. The needs of a family are few (gang sizes), so they sit in small parallel arrays.
     */
    static final int UNKEPT = 0;
    static final int ANY = 1;
    private final int[][] gangNeeds = {new int[2], new int[2]};
    private final GangHeap[][] gangHeaps = {new GangHeap[2], new GangHeap[2]};
    private final int[] needsUsed = new int[2];
    private int gangsWaiting;

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

    /** The class's room counter, created on first use. */
    ShapeRoom room() {
        if (room == null) {
            room = new ShapeRoom(probe);
        }
        return room;
    }

    /** Files {@code gang} to wait until the room it may use reaches {@link GangRecord#roomNeed}. */
    void addGang(GangRecord gang, boolean mayUseKept) {
        GangHeap heap = heapFor(mayUseKept ? ANY : UNKEPT, gang.roomNeed);
        gang.roomShape = this;
        gang.roomMayUseKept = mayUseKept;
        gang.roomHeap = heap;
        heap.add(gang);
        gangsWaiting++;
    }

    void removeGang(GangRecord gang) {
        gang.roomHeap.remove(gang);
        gang.roomHeap = null;
        gang.roomShape = null;
        gangsWaiting--;
    }

    /** Gangs waiting on this class's room. */
    int gangsWaiting() {
        return gangsWaiting;
    }

    /**
     * The gang that goes first in queue order ({@code queues}) among those whose need is within the room
     * their family may use: {@code unkept} copies on nodes nobody keeps, {@code all} copies in all; null
     * when none. O(needs in use).
     */
    GangRecord firstGangWithin(long unkept, long all, QueueBook queues) {
        GangRecord best = null;
        for (int family = UNKEPT; family <= ANY; family++) {
            long room = family == UNKEPT ? unkept : all;
            for (int i = 0; i < needsUsed[family]; i++) {
                GangRecord head = gangHeaps[family][i].first();
                if (head != null && gangNeeds[family][i] <= room && (best == null || queues.goesBefore(head, best))) {
                    best = head;
                }
            }
        }
        return best;
    }

    /** Moves every gang counting only unkept room to count all room (a kept node may now let it in). */
    void letAllGangsUseKeptRoom() {
        for (int i = 0; i < needsUsed[UNKEPT]; i++) {
            GangHeap heap = gangHeaps[UNKEPT][i];
            while (heap.size() > 0) {
                GangRecord g = heap.first();
                removeGang(g);
                addGang(g, true);
            }
        }
    }

    /** For checks: every heap of a family, in no order. */
    int heapCount(int family) {
        return needsUsed[family];
    }

    GangHeap heap(int family, int i) {
        return gangHeaps[family][i];
    }

    int heapNeed(int family, int i) {
        return gangNeeds[family][i];
    }

    private GangHeap heapFor(int family, int need) {
        int used = needsUsed[family];
        for (int i = 0; i < used; i++) {
            if (gangNeeds[family][i] == need) {
                return gangHeaps[family][i];
            }
        }
        if (used == gangNeeds[family].length) {
            gangNeeds[family] = Arrays.copyOf(gangNeeds[family], used * 2);
            gangHeaps[family] = Arrays.copyOf(gangHeaps[family], used * 2);
        }
        GangHeap heap = new GangHeap(4) {
            @Override
            boolean precedes(GangRecord a, GangRecord b) {
                return QueuedUnit.precedes(a, b);
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
        gangNeeds[family][used] = need;
        gangHeaps[family][used] = heap;
        needsUsed[family] = used + 1;
        return heap;
    }

    @Override
    public String toString() {
        return "ShapeClass[" + id + " " + request + "]";
    }
}
