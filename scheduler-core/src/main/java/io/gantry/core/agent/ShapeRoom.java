package io.gantry.core.agent;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

import java.util.Arrays;

/**
 * The room for one shape class summed over the cluster: how many copies of its probe every node holds
 * now, split into nodes kept for someone (reserved or nominated) and the rest. Gangs of that member
 * shape wait on it: a gang without topology whose pending members are all of the class is placed
 * exactly when the copies over the nodes it may use reach its need, so it sleeps until that sum can.
 *
 * <p>Kept by catching up: the per-node copies are refreshed for the nodes the cluster state's change
 * log names since the last look (all nodes when the log no longer reaches back that far), and for a
 * node whose kept flag changed when the agent says so. A catch-up costs O(changes since the last one),
 * so a class looked at on every wake pays once per node change, and one looked at rarely pays at most
 * one pass over the nodes. Allocates only when the node table grows. Agent thread only.
 */
final class ShapeRoom {
    /** Whether the agent keeps a node for someone (a reservation or a nomination). */
    interface KeptNodes {
        boolean isKept(int node);
    }

    private final PlacementRequest probe;
    private int[] copies = new int[0];
    private boolean[] kept = new boolean[0];
    private long roomAll;
    private long roomKept;
    /** The state change up to which the copies are known; -1: never built, or the probe changed. */
    private long seenChange = -1;

    ShapeRoom(PlacementRequest probe) {
        this.probe = probe;
    }

    /** Copies of the class over every live node, kept or not; call {@link #catchUp} first. */
    long all() {
        return roomAll;
    }

    /** Copies of the class over the live nodes nobody keeps; call {@link #catchUp} first. */
    long unkept() {
        return roomAll - roomKept;
    }

    /** The probe was prepared again (new GPU models): the next catch-up recounts every node. */
    void invalidate() {
        seenChange = -1;
    }

    /** Brings the sums up to date with the cluster state. */
    void catchUp(ClusterState state, KeptNodes keptNodes) {
        long count = state.changeCount();
        if (seenChange == count) {
            return;
        }
        if (copies.length < state.nodeSlots() || seenChange < 0 || seenChange < state.oldestKeptChange()) {
            rebuild(state, keptNodes);
            return;
        }
        for (long change = seenChange; change < count; change++) {
            int node = state.changedNode(change);
            refresh(state, node, keptNodes.isKept(node));
        }
        seenChange = count;
    }

    /** The agent changed whether {@code node} is kept; a no-op before the first catch-up. */
    void keptChanged(ClusterState state, int node, boolean nowKept) {
        if (seenChange < 0 || node >= copies.length) {
            return; // the next catch-up rebuilds, reading the flag then
        }
        refresh(state, node, nowKept);
    }

    private void rebuild(ClusterState state, KeptNodes keptNodes) {
        int slots = state.nodeSlots();
        if (copies.length < slots) {
            int size = Math.max(slots, copies.length * 2);
            copies = new int[size];
            kept = new boolean[size];
        } else {
            Arrays.fill(copies, 0);
            Arrays.fill(kept, false);
        }
        roomAll = 0;
        roomKept = 0;
        for (int node = 0; node < slots; node++) {
            refresh(state, node, keptNodes.isKept(node));
        }
        seenChange = state.changeCount();
    }

    private void refresh(ClusterState state, int node, boolean nowKept) {
        int was = copies[node];
        int now = state.isLive(node) ? state.copiesThatFit(probe, node, Integer.MAX_VALUE) : 0;
        roomAll += now - was;
        if (kept[node]) {
            roomKept -= was;
        }
        if (nowKept) {
            roomKept += now;
        }
        copies[node] = now;
        kept[node] = nowKept;
    }

    /** For {@link SchedulerAgent#verify}: the sums recounted from scratch must equal the kept ones. */
    void verify(ClusterState state, KeptNodes keptNodes, String what) {
        if (seenChange < 0) {
            return;
        }
        catchUp(state, keptNodes);
        long all = 0;
        long keptRoom = 0;
        for (int node = 0; node < state.nodeSlots(); node++) {
            int c = state.isLive(node) ? state.copiesThatFit(probe, node, Integer.MAX_VALUE) : 0;
            all += c;
            if (keptNodes.isKept(node)) {
                keptRoom += c;
            }
        }
        if (all != roomAll || keptRoom != roomKept) {
            throw new IllegalStateException(what + ": room counted " + roomAll + " (kept " + roomKept + "), recounted "
                    + all + " (kept " + keptRoom + ")");
        }
    }
}
