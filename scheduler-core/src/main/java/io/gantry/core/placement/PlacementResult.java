package io.gantry.core.placement;

import io.gantry.core.state.ClusterState;
import io.gantry.core.state.UnfitCause;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The outcome of placing one pod, reused from decision to decision so that deciding allocates
 * nothing: either placed on a node with a GPU mask, or unschedulable with, for every cause, how many
 * nodes it ruled out. Read it before the next decision, or copy what you need with {@link #toDecision}.
 */
public final class PlacementResult {
    private final PodPlacer placer;
    private boolean placed;
    private boolean explained;
    private int node = ClusterState.NO_NODE;
    private int gpuMask;
    private int score;
    private int nodesConsidered;
    private final int[] unfitCounts = new int[UnfitCause.values().length];
    /** Per cause, one node's case in words (service causes only), or null; filled with the counts. */
    private final String[] examples = new String[UnfitCause.values().length];

    PlacementResult(PodPlacer placer) {
        this.placer = placer;
    }

    void placed(int node, int gpuMask, int score, int nodesConsidered) {
        this.placed = true;
        this.node = node;
        this.gpuMask = gpuMask;
        this.score = score;
        this.nodesConsidered = nodesConsidered;
    }

    void unschedulable(int nodesConsidered) {
        this.placed = false;
        this.node = ClusterState.NO_NODE;
        this.gpuMask = 0;
        this.score = 0;
        this.nodesConsidered = nodesConsidered;
        this.explained = false;
    }

    private void explainOnce() {
        if (!placed && !explained) {
            Arrays.fill(unfitCounts, 0);
            Arrays.fill(examples, null);
            placer.explain(this);
            explained = true;
        }
    }

    void countUnfit(UnfitCause cause) {
        unfitCounts[cause.ordinal()]++;
    }

    void countUnfit(UnfitCause cause, int nodes) {
        unfitCounts[cause.ordinal()] += nodes;
    }

    void example(UnfitCause cause, String text) {
        examples[cause.ordinal()] = text;
    }

    String example(UnfitCause cause) {
        return examples[cause.ordinal()];
    }

    public boolean isPlaced() {
        return placed;
    }

    public int node() {
        return node;
    }

    /** Bit g set = GPU g of the node is used by the pod. */
    public int gpuMask() {
        return gpuMask;
    }

    public int score() {
        return score;
    }

    public int nodesConsidered() {
        return nodesConsidered;
    }

    /** Nodes ruled out by {@code cause}; counted on first read, so read it before the state changes. */
    public int unfitCount(UnfitCause cause) {
        explainOnce();
        return unfitCounts[cause.ordinal()];
    }

    /** GPU indexes in ascending order. */
    public int[] gpuIndexes() {
        int[] out = new int[Integer.bitCount(gpuMask)];
        int i = 0;
        for (int bits = gpuMask; bits != 0; bits &= bits - 1) {
            out[i++] = Integer.numberOfTrailingZeros(bits);
        }
        return out;
    }

    /**
     * Why the pod could not be placed, largest cause first, for example
     * {@code "0/12 nodes fit: 8 nodes lack an acceptable GPU model; 3 nodes have too few fully free GPUs; 1 node is cordoned"}.
     */
    public String reason() {
        if (placed) {
            return "placed";
        }
        explainOnce();
        if (nodesConsidered == 0) {
            return "0/0 nodes fit: the cluster has no nodes";
        }
        List<UnfitCause> causes = new ArrayList<>();
        for (UnfitCause c : UnfitCause.values()) {
            if (unfitCounts[c.ordinal()] > 0) {
                causes.add(c);
            }
        }
        causes.sort((a, b) -> Integer.compare(unfitCounts[b.ordinal()], unfitCounts[a.ordinal()]));
        StringBuilder sb = new StringBuilder("0/").append(nodesConsidered).append(" nodes fit: ");
        for (int i = 0; i < causes.size(); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            UnfitCause cause = causes.get(i);
            sb.append(cause.describe(unfitCounts[cause.ordinal()]));
            if (examples[cause.ordinal()] != null) {
                sb.append(" (for example ").append(examples[cause.ordinal()]).append(')');
            }
        }
        return sb.toString();
    }

    /** An immutable copy for use beyond the next decision. */
    public Decision toDecision(ClusterState state) {
        return placed ? new Decision.Placed(node, state.nodeName(node), gpuIndexes()) : new Decision.Unschedulable(reason());
    }
}
