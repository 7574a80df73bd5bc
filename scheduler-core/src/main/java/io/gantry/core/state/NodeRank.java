package io.gantry.core.state;

/**
 * The fixed pseudo-random rank of a node for breaking ties: a 64-bit mix of (seed, node id), so it
 * needs no table kept in step with node additions. Compare ranks unsigned; lower goes first.
 */
public final class NodeRank {
    private NodeRank() {
    }

    public static long of(long seed, int node) {
        long z = seed + 0x9E3779B97F4A7C15L * (node + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
