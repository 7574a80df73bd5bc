package io.gantry.core.state;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.Arrays;

/**
 * Nodes grouped into equivalence classes: same spec (capacity, GPU model, labels, taints, cordon)
 * and same free state (CPU, memory, the multiset of per-GPU free milli, the GPU classes of pods they
 * host). Every fit check and every placement score is a function of exactly these, so all nodes of a
 * class fit a pod or not together and score alike: a decision scores one node per class instead of
 * every node, and the tie among a class goes to its lowest-ranked node, which each class keeps at the
 * top of a heap ordered by the fixed node rank.
 *
 * <p>Kept up to date in O(G log G + log class size) per node change (G = GPUs on the node). A cluster
 * of identical empty nodes is one class; a busy, diverse cluster has up to one class per node, and is
 * then no slower than scanning nodes. Classes are pooled: steady state allocates nothing.
 */
final class NodeClasses {
    static final int NONE = -1;

    /** One class: its key and its members in a min-heap by rank. */
    static final class NodeClass {
        int id;
        long hash;
        NodeClass nextSameHash;
        int spec;
        long cpuFree;
        long memoryFree;
        int gpuClassMask;
        int gpus;
        final int[] sortedFree = new int[ClusterState.MAX_GPUS];
        int[] heap = new int[4];
        int size;
        /** GPU group: model * 17 + fully free GPUs, or {@link #NO_GPU_GROUP}. */
        int group;
        /** Fullness key: cpuFree + 16 x free GPU milli; lower is fuller. */
        long fullness;
        int band;
        NodeClass nextInBand;
        NodeClass prevInBand;
    }

    static final int WHOLE_KEYS = ClusterState.MAX_GPUS + 1;
    static final int NO_GPU_GROUP = GpuModelRegistry.MAX_MODELS * WHOLE_KEYS;
    private static final int GROUPS = NO_GPU_GROUP + 1;
    static final int BAND_SHIFT = 11;
    static final int BANDS = 512;

    /** Per group, classes in bands of fullness key (ascending), with a bit set of the non-empty bands. */
    private final NodeClass[][] bandHead = new NodeClass[GROUPS][];
    private final long[][] bandBits = new long[GROUPS][];
    /**
     * Per group, bit w set when word w of {@link #bandBits} is not zero: a search finds a group's
     * fullest band, or learns that the group is empty, in a couple of instructions instead of reading
     * every word (a decision looks at every group of its GPU models, most of them empty or lost at once).
     */
    private final long[] bandWords = new long[GROUPS];

    private final long seed;
    private final Long2ObjectHashMap<NodeClass> byHash;
    private NodeClass[] byId = new NodeClass[16];
    private int classSlots;
    private final java.util.ArrayDeque<NodeClass> pool = new java.util.ArrayDeque<>();
    private int[] live = new int[16];
    private int[] livePos = new int[16];
    private int liveCount;
    private int[] classOf = new int[0];
    private int[] heapPos = new int[0];
    private long[] rank = new long[0];
    private final int[] scratch = new int[ClusterState.MAX_GPUS];

    NodeClasses(long seed, int expectedNodes) {
        this.seed = seed;
        this.byHash = new Long2ObjectHashMap<>(Math.max(8, expectedNodes * 2), 0.65f);
    }

    long seed() {
        return seed;
    }

    void ensureNodes(int nodes) {
        // every live class holds at least one node, so a pool as large as the node table means classes
        // never allocate once the table has its size
        for (int have = classSlots; have < nodes; have++) {
            pool.addLast(newPooledClass());
        }
        if (classOf.length < nodes) {
            int old = classOf.length;
            int size = Math.max(nodes, old * 2);
            classOf = Arrays.copyOf(classOf, size);
            heapPos = Arrays.copyOf(heapPos, size);
            rank = Arrays.copyOf(rank, size);
            Arrays.fill(classOf, old, size, NONE);
            for (int n = old; n < size; n++) {
                rank[n] = NodeRank.of(seed, n);
            }
        }
    }

    /** Files {@code node} under the class of its current spec and state. */
    void update(int node, int spec, int model, long cpuFree, long memoryFree, int gpuClassMask, int[] gpuFree, int base, int gpus) {
        for (int g = 0; g < gpus; g++) {
            int v = gpuFree[base + g];
            int k = g - 1;
            while (k >= 0 && scratch[k] > v) {
                scratch[k + 1] = scratch[k];
                k--;
            }
            scratch[k + 1] = v;
        }
        long h = spec * 0x9E3779B97F4A7C15L;
        h = (h ^ cpuFree) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ memoryFree) * 0x165667B19E3779F9L;
        h = (h ^ gpuClassMask) * 0x9E3779B97F4A7C15L;
        for (int g = 0; g < gpus; g++) {
            h = (h ^ scratch[g]) * 0xC2B2AE3D27D4EB4FL;
        }
        h ^= h >>> 29;
        NodeClass current = classOf[node] == NONE ? null : byId[classOf[node]];
        if (current != null && current.hash == h && matches(current, spec, cpuFree, memoryFree, gpuClassMask, gpus)) {
            return;
        }
        NodeClass target = null;
        for (NodeClass c = byHash.get(h); c != null; c = c.nextSameHash) {
            if (matches(c, spec, cpuFree, memoryFree, gpuClassMask, gpus)) {
                target = c;
                break;
            }
        }
        if (target == null) {
            target = newClass(h, spec, cpuFree, memoryFree, gpuClassMask, gpus);
            index(target, model);
        }
        remove(node);
        insert(target, node);
    }

    /** Takes {@code node} out of its class (when it is removed from the cluster). */
    void remove(int node) {
        int id = classOf[node];
        if (id == NONE) {
            return;
        }
        NodeClass c = byId[id];
        int pos = heapPos[node];
        c.size--;
        if (pos != c.size) {
            int last = c.heap[c.size];
            c.heap[pos] = last;
            heapPos[last] = pos;
            siftDown(c, pos);
            siftUp(c, heapPos[last]);
        }
        classOf[node] = NONE;
        if (c.size == 0) {
            retire(c);
        }
    }

    int liveClasses() {
        return liveCount;
    }

    /** Id of the i-th live class, 0 <= i < {@link #liveClasses()}; order changes as classes come and go. */
    int liveClass(int i) {
        return live[i];
    }

    /** The member of class {@code id} with the lowest rank. */
    int first(int id) {
        return byId[id].heap[0];
    }

    int size(int id) {
        return byId[id].size;
    }

    int classOf(int node) {
        return classOf[node];
    }

    long rankOf(int node) {
        return rank[node];
    }

    /** Members of class {@code id} (heap order, not sorted), for callers that must check each node. */
    int member(int id, int i) {
        return byId[id].heap[i];
    }

    private boolean matches(NodeClass c, int spec, long cpuFree, long memoryFree, int gpuClassMask, int gpus) {
        if (c.spec != spec || c.cpuFree != cpuFree || c.memoryFree != memoryFree || c.gpuClassMask != gpuClassMask || c.gpus != gpus) {
            return false;
        }
        for (int g = 0; g < gpus; g++) {
            if (c.sortedFree[g] != scratch[g]) {
                return false;
            }
        }
        return true;
    }

    private NodeClass newPooledClass() {
        NodeClass c = new NodeClass();
        if (classSlots == byId.length) {
            byId = Arrays.copyOf(byId, classSlots * 2);
            livePos = Arrays.copyOf(livePos, classSlots * 2);
            live = Arrays.copyOf(live, classSlots * 2);
        }
        c.id = classSlots++;
        byId[c.id] = c;
        return c;
    }

    private NodeClass newClass(long h, int spec, long cpuFree, long memoryFree, int gpuClassMask, int gpus) {
        NodeClass c = pool.pollFirst();
        if (c == null) {
            c = newPooledClass();
        }
        c.hash = h;
        c.spec = spec;
        c.cpuFree = cpuFree;
        c.memoryFree = memoryFree;
        c.gpuClassMask = gpuClassMask;
        c.gpus = gpus;
        System.arraycopy(scratch, 0, c.sortedFree, 0, gpus);
        c.size = 0;
        c.nextSameHash = byHash.get(h);
        byHash.put(h, c);
        livePos[c.id] = liveCount;
        live[liveCount++] = c.id;
        return c;
    }

    private void index(NodeClass c, int model) {
        long sum = 0;
        int whole = 0;
        for (int g = 0; g < c.gpus; g++) {
            sum += c.sortedFree[g];
            whole += c.sortedFree[g] == 1000 ? 1 : 0;
        }
        c.group = model < 0 || c.gpus == 0 ? NO_GPU_GROUP : model * WHOLE_KEYS + whole;
        c.fullness = c.cpuFree + 16 * sum;
        c.band = (int) Math.min(BANDS - 1, Math.max(0, c.fullness >> BAND_SHIFT));
        if (bandHead[c.group] == null) {
            // all the groups of a model at once: later classes of the model, with any number of free
            // GPUs, then allocate nothing
            int first = c.group == NO_GPU_GROUP ? NO_GPU_GROUP : model * WHOLE_KEYS;
            int last = c.group == NO_GPU_GROUP ? NO_GPU_GROUP : first + WHOLE_KEYS - 1;
            for (int g = first; g <= last; g++) {
                bandHead[g] = new NodeClass[BANDS];
                bandBits[g] = new long[BANDS / 64];
            }
        }
        NodeClass first = bandHead[c.group][c.band];
        c.nextInBand = first;
        c.prevInBand = null;
        if (first != null) {
            first.prevInBand = c;
        }
        bandHead[c.group][c.band] = c;
        bandBits[c.group][c.band >>> 6] |= 1L << c.band;
        bandWords[c.group] |= 1L << (c.band >>> 6);
    }

    private void unindex(NodeClass c) {
        if (c.prevInBand == null) {
            bandHead[c.group][c.band] = c.nextInBand;
            if (c.nextInBand == null) {
                long[] bits = bandBits[c.group];
                bits[c.band >>> 6] &= ~(1L << c.band);
                if (bits[c.band >>> 6] == 0) {
                    bandWords[c.group] &= ~(1L << (c.band >>> 6));
                }
            }
        } else {
            c.prevInBand.nextInBand = c.nextInBand;
        }
        if (c.nextInBand != null) {
            c.nextInBand.prevInBand = c.prevInBand;
        }
        c.nextInBand = null;
        c.prevInBand = null;
    }

    /**
     * Visits the classes of {@code group} in ascending fullness band (classes within a band in no
     * particular order) until the visitor says stop; returns false when it did.
     */
    boolean visitGroup(int group, ClusterState.FullnessVisitor visitor) {
        long[] bits = bandBits[group];
        NodeClass[] heads = bandHead[group];
        for (long words = bandWords[group]; words != 0; words &= words - 1) {
            int w = Long.numberOfTrailingZeros(words);
            for (long word = bits[w]; word != 0; word &= word - 1) {
                int band = (w << 6) + Long.numberOfTrailingZeros(word);
                long bandLow = (long) band << BAND_SHIFT;
                for (NodeClass c = heads[band]; c != null; c = c.nextInBand) {
                    if (!visitor.visit(c.id, bandLow)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private void retire(NodeClass c) {
        unindex(c);
        NodeClass head = byHash.get(c.hash);
        if (head == c) {
            if (c.nextSameHash == null) {
                byHash.remove(c.hash);
            } else {
                byHash.put(c.hash, c.nextSameHash);
            }
        } else {
            NodeClass prev = head;
            while (prev.nextSameHash != c) {
                prev = prev.nextSameHash;
            }
            prev.nextSameHash = c.nextSameHash;
        }
        c.nextSameHash = null;
        int pos = livePos[c.id];
        int lastId = live[--liveCount];
        live[pos] = lastId;
        livePos[lastId] = pos;
        pool.addFirst(c);
    }

    private void insert(NodeClass c, int node) {
        if (c.size == c.heap.length) {
            c.heap = Arrays.copyOf(c.heap, c.size * 2);
        }
        c.heap[c.size] = node;
        heapPos[node] = c.size;
        classOf[node] = c.id;
        c.size++;
        siftUp(c, c.size - 1);
    }

    private boolean before(int a, int b) {
        return Long.compareUnsigned(rank[a], rank[b]) < 0;
    }

    private void siftUp(NodeClass c, int pos) {
        int node = c.heap[pos];
        while (pos > 0) {
            int parent = (pos - 1) >>> 1;
            int p = c.heap[parent];
            if (!before(node, p)) {
                break;
            }
            c.heap[pos] = p;
            heapPos[p] = pos;
            pos = parent;
        }
        c.heap[pos] = node;
        heapPos[node] = pos;
    }

    private void siftDown(NodeClass c, int pos) {
        int node = c.heap[pos];
        int half = c.size >>> 1;
        while (pos < half) {
            int child = 2 * pos + 1;
            int right = child + 1;
            if (right < c.size && before(c.heap[right], c.heap[child])) {
                child = right;
            }
            if (!before(c.heap[child], node)) {
                break;
            }
            c.heap[pos] = c.heap[child];
            heapPos[c.heap[pos]] = pos;
            pos = child;
        }
        c.heap[pos] = node;
        heapPos[node] = pos;
    }
}
