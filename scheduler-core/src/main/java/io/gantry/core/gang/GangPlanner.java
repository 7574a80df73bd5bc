package io.gantry.core.gang;

import io.gantry.core.placement.NodeFilter;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;

import java.util.Arrays;

/**
 * Plans a gang as one transaction: members are assumed in the cluster state one by one, each
 * assumption recorded in a journal, and the whole plan is then either kept (the caller sends the
 * bindings) or {@linkplain #rollback rolled back} in reverse order, which restores the state exactly.
 *
 * <p><b>Packing.</b> Each member goes to a node the plan already uses when it fits there; otherwise to
 * the node that can hold all remaining members with the least room to spare, or, when no node can,
 * the node that can hold the most of them. For identical members this uses the fewest nodes. Ties go
 * to the fixed node rank. GPUs on the node are chosen by the gang's placement policy.
 *
 * <p><b>Topology.</b> With a topology level, domains (NVLink domain, rack, zone, or single node) that
 * can hold all needed members are tried smallest first (best fit), at most {@value #MAX_DOMAIN_TRIES};
 * a required level never spreads beyond one domain, a preferred one falls back to the whole cluster.
 *
 * <p><b>Service constraints.</b> Members of a service count against its per-node cap as they are
 * assumed, so packing never puts more than the cap on one node; members with a DoNotSchedule spread
 * constraint are chosen node by node, since each one placed changes the skew of every domain.
 * ScheduleAnyway preferences are not applied to gangs (they pack).
 *
 * <p><b>Cost.</b> O(N) per node switch (a scan of candidate nodes) plus O(1) per member placed on an
 * already chosen node, so O(N * nodes used + members); with a topology level, one O(N) pass to size
 * the domains. Allocates only when the cluster or the gang grows past earlier sizes.
 */
public final class GangPlanner {
    static final int MAX_DOMAIN_TRIES = 8;
    private static final int NOT_USED = 0;

    private final ClusterState state;
    private final TieBreak tieBreak;
    private PlacementRequest[] journal = new PlacementRequest[16];
    private int[] journalNode = new int[16];
    private int[] journalGpus = new int[16];
    private int journalSize;
    private int[] usedStamp = new int[0];
    private int stamp;
    private int[] candidates = new int[0];
    private long[] rankKey = new long[0];
    private int[] capOf = new int[0];
    private int[] nextInBucket = new int[0];
    private int[] heads = new int[0];
    private long[] domainCapacity = new long[0];
    private int[] domainOrder = new int[0];
    private int domainLevel;
    private int domainTarget;
    private final NodeFilter inDomain;
    private NodeFilter outer = NodeFilter.ALL;
    private int bestPlaced;
    private String failure = "";
    // Why the last plan failed, kept as parts: most callers never read the sentence (the simulator does
    // not), so it is built only by failure().
    private GangSpec failedGang;
    private PlacementRequest failedMember;
    private int failedNeed;
    private String failedWhere = "";
    private long failedLargest = -1;

    public GangPlanner(ClusterState state, TieBreak tieBreak) {
        this.state = state;
        this.tieBreak = tieBreak;
        this.inDomain = node -> {
            UnfitCause cause = outer.rejects(node);
            if (cause != null) {
                return cause;
            }
            return domainTarget >= 0 && state.domainId(node, domainLevel) != domainTarget ? UnfitCause.OUTSIDE_DOMAIN : null;
        };
    }

    /**
     * Tries to place {@code need} of the first {@code count} {@code members} at once. Returns true with
     * the placements assumed in the state and listed by {@link #placed}, {@link #nodeOf}, {@link #gpusOf};
     * the caller then keeps them (sends the bindings, then {@link #clear}s) or {@link #rollback}s. Returns
     * false with the state unchanged and {@link #failure()} saying why.
     */
    public boolean plan(PlacementRequest[] members, int count, int need, GangSpec gang, PlacementPolicy policy, NodeFilter filter) {
        clear();
        this.outer = filter;
        this.bestPlaced = 0;
        if (count < need) {
            failure = "gang " + gang.key() + ": " + count + " of " + need + " needed members exist";
            return false;
        }
        int level = levelOf(gang.topology());
        if (gang.topology() == TopologyLevel.NONE) {
            domainTarget = -1;
            if (planIn(members, count, need, policy)) {
                return true;
            }
            failedBecause(gang, members[0], need, "", -1);
            return false;
        }
        if (gang.topology() == TopologyLevel.NODE) {
            return planOnOneNode(members, count, need, gang, policy);
        }
        domainLevel = level;
        int domains = rankDomains(members[0], need);
        long largest = 0;
        for (int d = 0; d < state.domainCount(level); d++) {
            largest = Math.max(largest, domainCapacity[d]);
        }
        for (int i = 0; i < Math.min(domains, MAX_DOMAIN_TRIES); i++) {
            domainTarget = domainOrder[i];
            if (planIn(members, count, need, policy)) {
                return true;
            }
        }
        domainTarget = -1;
        if (!gang.topologyRequired() && planIn(members, count, need, policy)) {
            return true;
        }
        failedBecause(gang, members[0], need, " in one " + gang.topology().name().toLowerCase(java.util.Locale.ROOT), largest);
        return false;
    }

    private boolean planOnOneNode(PlacementRequest[] members, int count, int need, GangSpec gang, PlacementPolicy policy) {
        // Single-node gangs: the node domain is the node itself; try the best-fitting nodes.
        domainLevel = -1;
        int n = state.collectCandidates(members[0], grow(state.nodeSlots()));
        int largest = 0;
        int tries = 0;
        while (tries < MAX_DOMAIN_TRIES) {
            int best = -1;
            int bestCap = Integer.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                int node = candidates[i];
                if (node < 0 || outer.rejects(node) != null) {
                    continue;
                }
                int cap = state.copiesThatFit(members[0], node, need);
                largest = Math.max(largest, cap);
                if (cap >= need && cap < bestCap) {
                    best = i;
                    bestCap = cap;
                }
            }
            if (best < 0) {
                break;
            }
            int node = candidates[best];
            candidates[best] = -1;
            tries++;
            if (placeAllOn(members, count, need, node, policy)) {
                return true;
            }
        }
        domainTarget = -1;
        if (!gang.topologyRequired() && planIn(members, count, need, policy)) {
            return true;
        }
        failedBecause(gang, members[0], need, " on one node", largest);
        return false;
    }

    private boolean placeAllOn(PlacementRequest[] members, int count, int need, int node, PlacementPolicy policy) {
        int placed = 0;
        for (int m = 0; m < count && placed < need; m++) {
            if (state.fits(members[m], node)) {
                assume(members[m], node, policy.chooseGpus(state, members[m], node));
                placed++;
            }
        }
        bestPlaced = Math.max(bestPlaced, placed);
        if (placed < need) {
            rollback();
            return false;
        }
        return true;
    }

    private boolean planIn(PlacementRequest[] members, int count, int need, PlacementPolicy policy) {
        NodeFilter filter = domainTarget >= 0 ? inDomain : outer;
        nextStamp();
        int placed = alike(members, count) ? planAlike(members, count, need, policy, filter) : planMixed(members, count, need, policy, filter);
        bestPlaced = Math.max(bestPlaced, placed);
        if (placed < need) {
            rollback();
            return false;
        }
        return true;
    }

    /** Whether the first {@code count} members ask exactly the same, so they fit the same nodes. */
    private static boolean alike(PlacementRequest[] members, int count) {
        PlacementRequest first = members[0];
        if (first.hasHardSpread()) {
            return false; // each member placed moves the skew everywhere: choose node by node
        }
        for (int m = 1; m < count; m++) {
            PlacementRequest p = members[m];
            if (p.cpuMilli() != first.cpuMilli() || p.memoryBytes() != first.memoryBytes() || p.gpus() != first.gpus()
                    || p.gpuMilli() != first.gpuMilli() || p.modelMask() != first.modelMask()
                    || p.spec().request().gpuMemoryBytes() != first.spec().request().gpuMemoryBytes()
                    || !p.spec().nodeSelector().equals(first.spec().nodeSelector())
                    || !p.spec().tolerations().equals(first.spec().tolerations())
                    || !p.service().equals(first.service()) || p.poolRestriction() != first.poolRestriction()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Identical members: the nodes that fit are ranked once, filed by how many members each holds
     * (nodes the plan has not used do not change while it runs), and each node switch takes the
     * lowest-ranked node of the tightest bucket that holds all remaining members, else of the roomiest
     * bucket: the packing rule of {@link #chooseNode} without a scan per switch.
     * O(N + C log C + members + switches x need) for C fitting nodes.
     */
    private int planAlike(PlacementRequest[] members, int count, int need, PlacementPolicy policy, NodeFilter filter) {
        PlacementRequest member = members[0];
        int n = state.collectCandidates(member, grow(state.nodeSlots()));
        int fitting = 0;
        long room = 0;
        for (int i = 0; i < n; i++) {
            int node = candidates[i];
            if (filter.rejects(node) == null) {
                int cap = state.copiesThatFit(member, node, need);
                if (cap > 0) {
                    candidates[fitting] = node;
                    capOf[node] = cap;
                    rankKey[fitting] = tieBreak.rankOf(node) ^ Long.MIN_VALUE; // signed order = unsigned rank order
                    fitting++;
                    room += cap;
                }
            }
        }
        if (room < need) {
            return (int) room; // saying no costs one pass: nothing is assumed, nothing rolled back
        }
        sortByRank(0, fitting - 1);
        int[] head = bucketHeads(need);
        for (int i = fitting - 1; i >= 0; i--) { // prepend in reverse, so each bucket lists lowest rank first
            int node = candidates[i];
            nextInBucket[node] = head[capOf[node]];
            head[capOf[node]] = node;
        }
        int placed = 0;
        int m = 0;
        while (placed < need && m < count) {
            int remaining = need - placed;
            int node = -1;
            for (int cap = remaining; cap <= need && node < 0; cap++) {
                node = head[cap];
            }
            for (int cap = remaining - 1; cap >= 1 && node < 0; cap--) {
                node = head[cap];
            }
            if (node < 0) {
                break;
            }
            head[capOf[node]] = nextInBucket[node];
            while (placed < need && m < count && state.fits(members[m], node)) {
                assume(members[m], node, policy.chooseGpus(state, members[m], node));
                placed++;
                m++;
            }
        }
        return placed;
    }

    private int[] bucketHeads(int need) {
        if (heads.length < need + 1) {
            heads = new int[Math.max(need + 1, heads.length * 2)];
        }
        Arrays.fill(heads, 0, need + 1, -1);
        return heads;
    }

    /** Sorts candidates[lo..hi] by rankKey (parallel arrays), quicksort with insertion sort for short runs. */
    private void sortByRank(int lo, int hi) {
        while (hi - lo > 16) {
            long pivot = rankKey[(lo + hi) >>> 1];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (rankKey[i] < pivot) {
                    i++;
                }
                while (rankKey[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    swap(i++, j--);
                }
            }
            if (j - lo < hi - i) {
                sortByRank(lo, j);
                lo = i;
            } else {
                sortByRank(i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int k = i; k > lo && rankKey[k - 1] > rankKey[k]; k--) {
                swap(k - 1, k);
            }
        }
    }

    private void swap(int a, int b) {
        long key = rankKey[a];
        rankKey[a] = rankKey[b];
        rankKey[b] = key;
        int node = candidates[a];
        candidates[a] = candidates[b];
        candidates[b] = node;
    }

    private int planMixed(PlacementRequest[] members, int count, int need, PlacementPolicy policy, NodeFilter filter) {
        int placed = 0;
        int current = -1;
        for (int m = 0; m < count && placed < need; m++) {
            PlacementRequest member = members[m];
            int node = current >= 0 && state.fits(member, current) ? current : chooseNode(member, need - placed, filter);
            if (node < 0) {
                continue; // this member fits nowhere; a later, different member may
            }
            assume(member, node, policy.chooseGpus(state, member, node));
            usedStamp[node] = stamp;
            current = node;
            placed++;
        }
        return placed;
    }

    /** Best node for {@code member} by the packing rule, or -1. */
    private int chooseNode(PlacementRequest member, int remaining, NodeFilter filter) {
        int n = state.collectCandidates(member, grow(state.nodeSlots()));
        int best = -1;
        long bestKey = Long.MIN_VALUE;
        long bestRank = 0;
        for (int i = 0; i < n; i++) {
            int node = candidates[i];
            if (filter.rejects(node) != null) {
                continue;
            }
            int cap = state.copiesThatFit(member, node, remaining);
            if (cap == 0) {
                continue;
            }
            long key;
            if (usedStamp[node] == stamp) {
                key = 3L << 32;
            } else if (cap >= remaining) {
                key = (2L << 32) - cap; // holds the rest: the tightest such node
            } else {
                key = (1L << 32) + cap; // holds part: the roomiest node
            }
            long rank = tieBreak.rankOf(node);
            if (key > bestKey || (key == bestKey && Long.compareUnsigned(rank, bestRank) < 0)) {
                best = node;
                bestKey = key;
                bestRank = rank;
            }
        }
        return best;
    }

    /** Sorts domains that can hold {@code need} copies of {@code member} by capacity, smallest first. */
    private int rankDomains(PlacementRequest member, int need) {
        int domains = state.domainCount(domainLevel);
        if (domainCapacity.length < domains) {
            domainCapacity = new long[Math.max(domains, domainCapacity.length * 2)];
            domainOrder = new int[domainCapacity.length];
        }
        Arrays.fill(domainCapacity, 0, domains, 0);
        int n = state.collectCandidates(member, grow(state.nodeSlots()));
        for (int i = 0; i < n; i++) {
            int node = candidates[i];
            int d = state.domainId(node, domainLevel);
            if (d >= 0 && outer.rejects(node) == null) {
                domainCapacity[d] += state.copiesThatFit(member, node, need);
            }
        }
        int k = 0;
        for (int d = 0; d < domains; d++) {
            if (domainCapacity[d] >= need) {
                domainOrder[k++] = d;
            }
        }
        // insertion sort: few domains qualify, and it allocates nothing
        for (int i = 1; i < k; i++) {
            int d = domainOrder[i];
            int j = i - 1;
            while (j >= 0 && domainCapacity[domainOrder[j]] > domainCapacity[d]) {
                domainOrder[j + 1] = domainOrder[j];
                j--;
            }
            domainOrder[j + 1] = d;
        }
        return k;
    }

    private void assume(PlacementRequest member, int node, int gpus) {
        state.assume(member, node, gpus);
        if (journalSize == journal.length) {
            journal = Arrays.copyOf(journal, journalSize * 2);
            journalNode = Arrays.copyOf(journalNode, journalSize * 2);
            journalGpus = Arrays.copyOf(journalGpus, journalSize * 2);
        }
        journal[journalSize] = member;
        journalNode[journalSize] = node;
        journalGpus[journalSize] = gpus;
        journalSize++;
    }

    /** Undoes every assumption of the current plan, newest first. */
    public void rollback() {
        for (int i = journalSize - 1; i >= 0; i--) {
            state.release(journal[i].id());
            journal[i] = null;
        }
        journalSize = 0;
    }

    /** Forgets the journal, keeping the assumptions (after the caller committed them). */
    public void clear() {
        for (int i = 0; i < journalSize; i++) {
            journal[i] = null;
        }
        journalSize = 0;
        failure = "";
        failedGang = null;
        failedMember = null;
    }

    public int placed() {
        return journalSize;
    }

    public PlacementRequest member(int i) {
        return journal[i];
    }

    public int nodeOf(int i) {
        return journalNode[i];
    }

    public int gpusOf(int i) {
        return journalGpus[i];
    }

    /** Most members any attempt of the last plan could place at once. */
    public int bestPlaced() {
        return bestPlaced;
    }

    /** Why the last plan failed, or "". Read it before the member's request is reused. */
    public String failure() {
        if (failedGang != null) {
            failure = describe(failedGang, failedMember, failedNeed,
                    failedLargest < 0 ? failedWhere : failedWhere + "; largest has room for " + failedLargest);
            failedGang = null;
            failedMember = null;
        }
        return failure;
    }

    private void failedBecause(GangSpec gang, PlacementRequest member, int need, String where, long largest) {
        failedGang = gang;
        failedMember = member;
        failedNeed = need;
        failedWhere = where;
        failedLargest = largest;
    }

    private String describe(GangSpec gang, PlacementRequest member, int need, String where) {
        String shape = member.gpus() > 0 ? member.gpus() + " GPU" : member.gpuMilli() > 0 ? member.gpuMilli() + " mGPU" : "no GPU";
        String models = member.spec().gpuModels().isEmpty() ? "" : " of model " + String.join("|", new java.util.TreeSet<>(member.spec().gpuModels()));
        return "gang " + gang.key() + ": " + bestPlaced + " of " + need + " members placeable; needs " + need + " x "
                + shape + models + ", " + member.cpuMilli() + "m CPU" + where;
    }

    private static int levelOf(TopologyLevel level) {
        return switch (level) {
            case ZONE -> ClusterState.ZONE;
            case RACK -> ClusterState.RACK;
            case NVLINK -> ClusterState.NVLINK;
            case NODE, NONE -> -1;
        };
    }

    private int[] grow(int nodes) {
        if (candidates.length < nodes) {
            candidates = new int[Math.max(nodes, candidates.length * 2)];
        }
        if (usedStamp.length < nodes) {
            int size = Math.max(nodes, usedStamp.length * 2);
            usedStamp = Arrays.copyOf(usedStamp, size);
            rankKey = new long[size];
            capOf = new int[size];
            nextInBucket = new int[size];
        }
        return candidates;
    }

    private void nextStamp() {
        grow(state.nodeSlots());
        if (++stamp == NOT_USED) {
            Arrays.fill(usedStamp, NOT_USED);
            stamp = 1;
        }
    }
}
