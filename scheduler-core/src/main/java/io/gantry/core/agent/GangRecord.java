package io.gantry.core.agent;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.queue.QueuedUnit;

import java.util.ArrayList;
import java.util.List;

/**
 * What the agent knows of one gang: its spec (null while its pods name a gang not declared yet),
 * its member pods, how many are placed, and its wait and reservation. While fewer than
 * {@code minMember} are placed the gang is scheduled as one unit; afterwards its remaining members
 * are scheduled as single pods.
 */
final class GangRecord extends QueuedUnit {
    final String key;
    GangSpec spec;
    final List<PodRecord> members = new ArrayList<>();
    /** Members assumed or bound. */
    int placed;
    /** Since when the gang has had its minMember members and waited for room; -1 when not waiting. */
    long waitingSince = -1;
    /** In {@link WaitingGangs}: its list links, the order it started waiting, past the delay, heap slot. */
    boolean waiting;
    GangRecord waitPrev;
    GangRecord waitNext;
    long waitSeq;
    boolean pastDelay;
    int eligibleIndex = -1;
    boolean timedOut;
    boolean reservationHeld;
    /** Nodes reserved or nominated for this gang. */
    int keptNodes;
    /** Reached minMember at least once; members leaving later do not make it a partly placed gang. */
    boolean scheduledOnce;
    int victimsPending;
    String lastReason;
    /** GPU claimed in its queue by this gang's preemption in flight. */
    long claimedGpu;
    /**
     * While parked for room by its member shape: the copies of that shape it needs, whether it may use
     * kept nodes (it owns some, or some owner does not keep them from it), the class's heap it sits in and
     * its slot there, and the class; null/-1 otherwise.
     */
    int roomNeed;
    boolean roomMayUseKept;
    GangHeap roomHeap;
    int roomHeapIndex = -1;
    ShapeClass roomShape;
    /** The node whose room woke the gang, offered again once it is decided (see {@link PodRecord#wokenFor}). */
    int wokenFor = io.gantry.core.state.ClusterState.NO_NODE;

    GangRecord(String key) {
        this.key = key;
    }

    int minMember() {
        return spec == null ? Integer.MAX_VALUE : spec.minMember();
    }

    /** minMember members are placed and none of them is being evicted: the rest go one by one. */
    boolean isScheduled() {
        // the size test first: every member's arrival asks, and a gang still gathering members is not
        // scheduled without walking them
        return spec != null && members.size() >= spec.minMember() && placedKept() >= spec.minMember();
    }

    /** Members placed and not being evicted: what the gang can count on. */
    int placedKept() {
        int n = 0;
        for (PodRecord m : members) {
            n += m.isPlaced() && !m.evicting ? 1 : 0;
        }
        return n;
    }

    int pendingMembers() {
        int n = 0;
        for (PodRecord m : members) {
            n += m.status == PodRecord.PENDING && !m.evicting ? 1 : 0;
        }
        return n;
    }

    /** Sets the order keys directly, for tests of structures ordered by them. */
    void setOrderForTest(int priority, long arrivalSeq) {
        this.priority = priority;
        this.arrivalSeq = arrivalSeq;
    }

    /** Order keys from the members: highest priority, earliest arrival, the first member's queue. */
    void refreshOrder() {
        if (members.isEmpty()) {
            return;
        }
        int p = Integer.MIN_VALUE;
        long first = Long.MAX_VALUE;
        for (PodRecord m : members) {
            p = Math.max(p, m.priority());
            first = Math.min(first, m.arrivalSeq());
        }
        priority = p;
        arrivalSeq = first;
        queue = members.get(0).queue();
    }

    @Override
    public long gpuMilliAsked() {
        long sum = 0;
        int need = Math.max(0, minMember() - placedKept());
        for (PodRecord m : members) {
            if (need == 0) {
                break;
            }
            if (m.status == PodRecord.PENDING && !m.evicting) {
                sum += m.request.totalGpuMilli();
                need--;
            }
        }
        return sum;
    }

    @Override
    public long cpuMilliAsked() {
        long sum = 0;
        for (PodRecord m : members) {
            sum += m.status == PodRecord.PENDING ? m.request.cpuMilli() : 0;
        }
        return sum;
    }

    @Override
    public String name() {
        return "gang " + key;
    }

    @Override
    public String toString() {
        return name();
    }
}
