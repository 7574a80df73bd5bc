package io.gantry.core.state;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.SpreadConstraint;
import io.gantry.core.model.SpreadLevel;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Object2IntHashMap;

import java.util.Arrays;

/**
 * Nodes, what is free on each, and which pod holds what: a struct-of-arrays table indexed by dense
 * int node ids, with per-GPU free milli at {@code node * MAX_GPUS + gpu}.
 *
 * <p>Two indexes keep candidate search proportional to the nodes that could fit: nodes by (GPU model,
 * fully free GPUs), and by (GPU model, largest free share on one GPU, in steps of 10 milli). Every
 * mutation updates them in O(GPUs per node); nothing rescans the cluster.
 *
 * <p>Mutations validate first and change nothing when they throw. Each node carries a version that
 * increases on every change, so policies can cache per-node results, and every change is numbered in a
 * change log ({@link #changeCount()}, {@link #changedNode}), so a cache can catch up on exactly the
 * nodes changed since it last looked.
 *
 * <p>Not thread-safe: one owner thread.
 */
public final class ClusterState {
    public static final int NO_NODE = -1;
    public static final int MAX_GPUS = ResourceRequest.MAX_GPUS;
    private static final int MILLI = ResourceRequest.MILLI_PER_GPU;
    private static final int SHARE_STEP = 10;
    private static final int SHARE_KEYS = MILLI / SHARE_STEP + 1;
    /** Topology levels for {@link #domainId}: zone, rack (or block), NVLink domain. */
    public static final int ZONE = 0;
    public static final int RACK = 1;
    public static final int NVLINK = 2;
    private static final int LEVELS = 3;
    /** Domain id of a node not labelled at a level. */
    public static final int NO_DOMAIN = -1;

    /** GPU classes of pods: 0 = a share of one GPU, k = k whole GPUs. */
    public static final int GPU_CLASSES = MAX_GPUS + 1;

    private final GpuModelRegistry models = new GpuModelRegistry();
    private final Object2IntHashMap<String> nodeIdByName = new Object2IntHashMap<>(NO_NODE);
    private final IntArrayList freeNodeIds = new IntArrayList();
    private final NodeBuckets byFreeWholeGpus;
    private final NodeBuckets byLargestShare;
    private final NodeClasses classes;
    private final NodeChangeLog changes;
    private final java.util.Map<SpecKey, Integer> specIds = new java.util.HashMap<>();
    private int[] specId;

    /** The part of a node spec that decides fit and score, without the name and topology. */
    private record SpecKey(long cpu, long memory, int gpus, String model, long gpuMemory, java.util.Map<String, String> labels,
                           boolean schedulable, java.util.List<io.gantry.core.model.Taint> taints) {
        static SpecKey of(NodeSpec s) {
            return new SpecKey(s.cpuMilli(), s.memoryBytes(), s.gpus(), s.gpuModel(), s.gpuMemoryBytes(), s.labels(),
                    s.schedulable(), s.taints());
        }
    }
    private final java.util.List<Object2IntHashMap<String>> domainIds = java.util.List.of(
            new Object2IntHashMap<>(NO_DOMAIN), new Object2IntHashMap<>(NO_DOMAIN), new Object2IntHashMap<>(NO_DOMAIN));
    private final java.util.List<java.util.List<String>> domainNames = java.util.List.of(
            new java.util.ArrayList<>(), new java.util.ArrayList<>(), new java.util.ArrayList<>());
    private int[] domain;
    /** Live nodes per domain id, for {@link #ZONE} and {@link #RACK}: a spread constraint counts live domains only. */
    private final int[][] nodesInDomain = {new int[8], new int[8]};
    private final int[] liveDomains = new int[2];
    private final ServiceCounts services = new ServiceCounts();
    /** Node pools by label ({@link #registerPool}): per node, a bit per pool it belongs to. */
    private final java.util.List<String[]> pools = new java.util.ArrayList<>();
    private int[] nodePools;

    private int nodeSlots;
    private int liveNodes;
    private NodeSpec[] specs;
    /**
     * Per node, {@link #CORDON_BIT} and {@link #TAINT_BIT} of its spec, so a fit check reads the spec
     * object (a cache miss per node) only for nodes that are cordoned or tainted or pods with a selector.
     */
    private byte[] specTraits;
    private static final int CORDON_BIT = 1;
    private static final int TAINT_BIT = 2;
    private long[] cpuCapacity;
    private long[] memoryCapacity;
    private long[] cpuFree;
    private long[] memoryFree;
    private int[] gpuCount;
    private int[] modelId;
    private int[] gpuFree;
    private int[] freeWholeGpus;
    private int[] largestShare;
    private long[] freeGpuMilliSum;
    private int[] podsOnNode;
    private int[] gpuClassCount;
    private int[] gpuClassMask;
    private long[] version;

    private final Long2LongHashMap slotByPod = new Long2LongHashMap(-1);
    private final IntArrayList freeSlots = new IntArrayList();
    private int slotCount;
    private long[] slotPod = new long[0];
    private int[] slotNode = new int[0];
    private long[] slotCpu = new long[0];
    private long[] slotMemory = new long[0];
    private int[] slotGpuMask = new int[0];
    private int[] slotMilliPerGpu = new int[0];
    private int[] slotService = new int[0];
    /** The constraints each placed pod came with: {@link #verify()} checks every cap still holds. */
    private ServiceConstraints[] slotConstraints = new ServiceConstraints[0];

    private long gpuCapacityMilli;
    private long cpuCapacityMilli;
    private long gpuAllocatedMilli;
    private int totalGpus;

    public ClusterState() {
        this(64);
    }

    public ClusterState(int expectedNodes) {
        this(expectedNodes, 0);
    }

    /**
     * @param expectedNodes initial size of the node table (it grows as needed)
     * @param rankSeed      seed of the fixed node rank ({@link NodeRank}) that orders each node class
     */
    public ClusterState(int expectedNodes, long rankSeed) {
        int n = Math.max(expectedNodes, 1);
        classes = new NodeClasses(rankSeed, n);
        classes.ensureNodes(n);
        changes = new NodeChangeLog(n);
        specId = new int[n];
        specs = new NodeSpec[n];
        specTraits = new byte[n];
        cpuCapacity = new long[n];
        memoryCapacity = new long[n];
        cpuFree = new long[n];
        memoryFree = new long[n];
        gpuCount = new int[n];
        modelId = new int[n];
        gpuFree = new int[n * MAX_GPUS];
        freeWholeGpus = new int[n];
        largestShare = new int[n];
        freeGpuMilliSum = new long[n];
        podsOnNode = new int[n];
        gpuClassCount = new int[n * GPU_CLASSES];
        gpuClassMask = new int[n];
        domain = new int[n * LEVELS];
        Arrays.fill(domain, NO_DOMAIN);
        nodePools = new int[n];
        version = new long[n];
        byFreeWholeGpus = new NodeBuckets(MAX_GPUS + 1, n);
        byLargestShare = new NodeBuckets(SHARE_KEYS, n);
    }

    // ------------------------------------------------------------------ nodes

    /** Adds a node and returns its id; ids of removed nodes are reused. */
    public int addNode(NodeSpec spec) {
        if (nodeIdByName.getValue(spec.name()) != NO_NODE) {
            throw new IllegalStateException("node " + spec.name() + ": already exists (id " + nodeIdByName.getValue(spec.name()) + ")");
        }
        int model = spec.gpus() > 0 ? models.intern(spec.gpuModel()) : GpuModelRegistry.NO_MODEL;
        int id = freeNodeIds.isEmpty() ? nodeSlots++ : freeNodeIds.removeAt(freeNodeIds.size() - 1);
        ensureNodeCapacity(nodeSlots);
        specs[id] = spec;
        specTraits[id] = traitsOf(spec);
        cpuCapacity[id] = spec.cpuMilli();
        memoryCapacity[id] = spec.memoryBytes();
        cpuFree[id] = spec.cpuMilli();
        memoryFree[id] = spec.memoryBytes();
        gpuCount[id] = spec.gpus();
        modelId[id] = model;
        int base = id * MAX_GPUS;
        Arrays.fill(gpuFree, base, base + MAX_GPUS, 0);
        Arrays.fill(gpuFree, base, base + spec.gpus(), MILLI);
        podsOnNode[id] = 0;
        specId[id] = internSpec(spec);
        setDomains(id, spec);
        nodePools[id] = poolsOf(spec);
        gpuClassMask[id] = 0;
        Arrays.fill(gpuClassCount, id * GPU_CLASSES, (id + 1) * GPU_CLASSES, 0);
        touched(id);
        nodeIdByName.put(spec.name(), id);
        liveNodes++;
        gpuCapacityMilli += (long) spec.gpus() * MILLI;
        cpuCapacityMilli += spec.cpuMilli();
        totalGpus += spec.gpus();
        reindex(id);
        return id;
    }

    /**
     * Replaces a node's spec, keeping the pods on it. Capacity may shrink only down to what is in use,
     * GPUs may be removed only when free, and the GPU model may change only while no pod uses a GPU.
     */
    public void updateNode(int node, NodeSpec spec) {
        checkLive(node);
        NodeSpec old = specs[node];
        if (!old.name().equals(spec.name())) {
            throw new IllegalArgumentException("node " + old.name() + ": update names another node, " + spec.name());
        }
        long cpuUsed = cpuCapacity[node] - cpuFree[node];
        long memoryUsed = memoryCapacity[node] - memoryFree[node];
        if (spec.cpuMilli() < cpuUsed) {
            throw new IllegalStateException("node " + spec.name() + ": cpuMilli " + spec.cpuMilli()
                    + " is below the " + cpuUsed + " already in use");
        }
        if (spec.memoryBytes() < memoryUsed) {
            throw new IllegalStateException("node " + spec.name() + ": memoryBytes " + spec.memoryBytes()
                    + " is below the " + memoryUsed + " already in use");
        }
        int base = node * MAX_GPUS;
        boolean gpusInUse = false;
        for (int g = 0; g < gpuCount[node]; g++) {
            boolean used = gpuFree[base + g] != MILLI;
            gpusInUse |= used;
            if (used && g >= spec.gpus()) {
                throw new IllegalStateException("node " + spec.name() + ": gpus " + spec.gpus()
                        + " would drop GPU " + g + ", which is in use");
            }
        }
        if (gpusInUse && !old.gpuModel().equals(spec.gpuModel())) {
            throw new IllegalStateException("node " + spec.name() + ": gpuModel cannot change from "
                    + old.gpuModel() + " to " + spec.gpuModel() + " while pods use its GPUs");
        }
        int model = spec.gpus() > 0 ? models.intern(spec.gpuModel()) : GpuModelRegistry.NO_MODEL;
        gpuCapacityMilli += (long) (spec.gpus() - gpuCount[node]) * MILLI;
        totalGpus += spec.gpus() - gpuCount[node];
        for (int g = gpuCount[node]; g < spec.gpus(); g++) {
            gpuFree[base + g] = MILLI;
        }
        for (int g = spec.gpus(); g < gpuCount[node]; g++) {
            gpuFree[base + g] = 0;
        }
        boolean moved = !old.topology().equals(spec.topology()) && podsOnNode[node] > 0;
        if (moved) {
            countServicesOnNode(node, -1); // the node's replicas leave its old domains ...
        }
        specs[node] = spec;
        specTraits[node] = traitsOf(spec);
        specId[node] = internSpec(spec);
        setDomains(node, spec);
        nodePools[node] = poolsOf(spec);
        if (moved) {
            countServicesOnNode(node, +1); // ... and join its new ones
        }
        cpuFree[node] = spec.cpuMilli() - cpuUsed;
        memoryFree[node] = spec.memoryBytes() - memoryUsed;
        cpuCapacityMilli += spec.cpuMilli() - cpuCapacity[node];
        cpuCapacity[node] = spec.cpuMilli();
        memoryCapacity[node] = spec.memoryBytes();
        gpuCount[node] = spec.gpus();
        modelId[node] = model;
        touched(node);
        reindex(node);
    }

    /** Removes an empty node. A node that still holds pods is an error: release them first. */
    public void removeNode(int node) {
        checkLive(node);
        if (podsOnNode[node] > 0) {
            throw new IllegalStateException("node " + specs[node].name() + ": cannot remove, "
                    + podsOnNode[node] + " pods are still placed on it");
        }
        nodeIdByName.removeKey(specs[node].name());
        gpuCapacityMilli -= (long) gpuCount[node] * MILLI;
        cpuCapacityMilli -= cpuCapacity[node];
        totalGpus -= gpuCount[node];
        byFreeWholeGpus.remove(node);
        byLargestShare.remove(node);
        classes.remove(node);
        clearDomains(node);
        specs[node] = null;
        specTraits[node] = 0;
        gpuCount[node] = 0;
        touched(node);
        liveNodes--;
        freeNodeIds.addInt(node);
    }

    // ------------------------------------------------------------------ pods

    /** Prepares a pod for placement against this state (resolves its GPU models to a mask). */
    public PlacementRequest prepare(PodSpec spec) {
        return new PlacementRequest(spec, models.maskOf(spec.gpuModels()), serviceIdOf(spec));
    }

    /** Refills {@code reuse} for {@code spec} and returns it: the allocation-free form of {@link #prepare(PodSpec)}. */
    public PlacementRequest prepare(PodSpec spec, PlacementRequest reuse) {
        reuse.reset(spec, spec.gpuModels().isEmpty() ? 0 : models.maskOf(spec.gpuModels()), serviceIdOf(spec));
        return reuse;
    }

    /**
     * Takes the pod's resources on {@code node}: CPU, memory, and {@code gpuMask}'s GPUs (bit g = GPU g),
     * each whole for a whole-GPU pod or by its share for a fractional one. Throws, changing nothing,
     * when the pod is already placed or the placement does not fit.
     */
    public void assume(PlacementRequest pod, int node, int gpuMask) {
        checkLive(node);
        long podId = pod.id();
        if (slotByPod.get(podId) != -1) {
            throw new IllegalStateException("pod " + pod.name() + ": already placed on node "
                    + specs[slotNode[(int) slotByPod.get(podId)]].name());
        }
        if (pod.cpuMilli > cpuFree[node]) {
            throw new IllegalStateException("pod " + pod.name() + ": cpuMilli " + pod.cpuMilli
                    + " exceeds the " + cpuFree[node] + " free on node " + specs[node].name());
        }
        if (pod.memoryBytes > memoryFree[node]) {
            throw new IllegalStateException("pod " + pod.name() + ": memoryBytes " + pod.memoryBytes
                    + " exceeds the " + memoryFree[node] + " free on node " + specs[node].name());
        }
        int touched = pod.gpus > 0 ? pod.gpus : (pod.gpuMilli > 0 ? 1 : 0);
        if (Integer.bitCount(gpuMask) != touched) {
            throw new IllegalStateException("pod " + pod.name() + ": GPU mask " + Integer.toBinaryString(gpuMask)
                    + " names " + Integer.bitCount(gpuMask) + " GPUs but the pod needs " + touched);
        }
        if (touched > 0 && !GpuModelRegistry.accepts(pod.modelMask, modelId[node])) {
            throw new IllegalStateException("pod " + pod.name() + ": node " + specs[node].name() + " has GPU model "
                    + specs[node].gpuModel() + ", which the pod does not accept");
        }
        int perGpu = pod.gpus > 0 ? MILLI : pod.gpuMilli;
        int base = node * MAX_GPUS;
        for (int bits = gpuMask; bits != 0; bits &= bits - 1) {
            int g = Integer.numberOfTrailingZeros(bits);
            if (g >= gpuCount[node]) {
                throw new IllegalStateException("pod " + pod.name() + ": GPU " + g + " does not exist on node "
                        + specs[node].name() + " (" + gpuCount[node] + " GPUs)");
            }
            if (gpuFree[base + g] < perGpu) {
                throw new IllegalStateException("pod " + pod.name() + ": GPU " + g + " of node " + specs[node].name()
                        + " has " + gpuFree[base + g] + " milli free, needs " + perGpu);
            }
        }
        for (int bits = gpuMask; bits != 0; bits &= bits - 1) {
            gpuFree[base + Integer.numberOfTrailingZeros(bits)] -= perGpu;
        }
        cpuFree[node] -= pod.cpuMilli;
        memoryFree[node] -= pod.memoryBytes;
        podsOnNode[node]++;
        if (touched > 0) {
            addGpuClass(node, pod.gpus, 1);
        }
        touched(node);
        gpuAllocatedMilli += (long) perGpu * touched;

        int slot = freeSlots.isEmpty() ? slotCount++ : freeSlots.removeAt(freeSlots.size() - 1);
        ensureSlotCapacity(slotCount);
        slotPod[slot] = podId;
        slotNode[slot] = node;
        slotCpu[slot] = pod.cpuMilli;
        slotMemory[slot] = pod.memoryBytes;
        slotGpuMask[slot] = gpuMask;
        slotMilliPerGpu[slot] = touched > 0 ? perGpu : 0;
        slotService[slot] = pod.serviceId;
        slotConstraints[slot] = pod.serviceId == ServiceCounts.NO_SERVICE ? null : pod.service();
        if (pod.serviceId != ServiceCounts.NO_SERVICE) {
            countService(pod.serviceId, node, +1);
        }
        slotByPod.put(podId, slot);
        reindex(node);
    }

    /** Gives back everything {@link #assume} took for {@code podId}. Releasing a pod not placed is an error. */
    public void release(long podId) {
        int slot = (int) slotByPod.get(podId);
        if (slot == -1) {
            throw new IllegalStateException("pod id " + podId + ": cannot release, it holds no placement");
        }
        int node = slotNode[slot];
        int perGpu = slotMilliPerGpu[slot];
        int base = node * MAX_GPUS;
        int mask = slotGpuMask[slot];
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            gpuFree[base + Integer.numberOfTrailingZeros(bits)] += perGpu;
        }
        gpuAllocatedMilli -= (long) perGpu * Integer.bitCount(mask);
        cpuFree[node] += slotCpu[slot];
        memoryFree[node] += slotMemory[slot];
        podsOnNode[node]--;
        if (mask != 0) {
            addGpuClass(node, perGpu == MILLI ? Integer.bitCount(mask) : 0, -1);
        }
        if (slotService[slot] != ServiceCounts.NO_SERVICE) {
            countService(slotService[slot], node, -1);
        }
        slotConstraints[slot] = null;
        touched(node);
        slotByPod.remove(podId);
        freeSlots.addInt(slot);
        reindex(node);
    }

    public boolean isPlaced(long podId) {
        return slotByPod.get(podId) != -1;
    }

    /** Node holding {@code podId}, or {@link #NO_NODE}. */
    public int nodeOf(long podId) {
        int slot = (int) slotByPod.get(podId);
        return slot == -1 ? NO_NODE : slotNode[slot];
    }

    /** GPU mask held by {@code podId} (bit g = GPU g), 0 when it holds no GPU or is not placed. */
    public int gpuMaskOf(long podId) {
        int slot = (int) slotByPod.get(podId);
        return slot == -1 ? 0 : slotGpuMask[slot];
    }

    public int placedPods() {
        return slotByPod.size();
    }

    // ------------------------------------------------------------------ fit checks and candidates

    /**
     * Appends to {@code out} every node that could hold {@code pod} by its GPU needs, using the indexes:
     * for whole GPUs the nodes of an acceptable model with enough fully free GPUs, for a share the nodes
     * whose largest free share is close to or above it, for a CPU-only pod every node. A superset of
     * the feasible nodes; {@link #fitCause} decides. {@code out} must hold {@link #nodeSlots()} ints.
     */
    public int collectCandidates(PlacementRequest pod, int[] out) {
        int count = 0;
        if (!pod.asksGpu()) {
            for (int node = 0; node < nodeSlots; node++) {
                if (specs[node] != null) {
                    out[count++] = node;
                }
            }
            return count;
        }
        long mask = pod.modelMask == 0 ? allModelsMask() : pod.modelMask;
        for (long bits = mask; bits != 0; bits &= bits - 1) {
            int model = Long.numberOfTrailingZeros(bits);
            if (pod.gpus > 0) {
                count = byFreeWholeGpus.collect(model, pod.gpus, out, count);
            } else {
                count = byLargestShare.collect(model, pod.gpuMilli / SHARE_STEP, out, count);
            }
        }
        return count;
    }

    /**
     * How many nodes {@link #collectCandidates} would list, from the index sizes alone: O(models x keys).
     * 0 means no node has the GPUs the pod needs.
     */
    public int countCandidates(PlacementRequest pod) {
        if (!pod.asksGpu()) {
            return liveNodes;
        }
        long mask = pod.modelMask == 0 ? allModelsMask() : pod.modelMask;
        int n = 0;
        for (long bits = mask; bits != 0; bits &= bits - 1) {
            int model = Long.numberOfTrailingZeros(bits);
            n += pod.gpus > 0 ? byFreeWholeGpus.countAtLeast(model, pod.gpus) : byLargestShare.countAtLeast(model, pod.gpuMilli / SHARE_STEP);
        }
        return n;
    }

    /** A mask of every GPU model registered so far. */
    private long allModelsMask() {
        return models.size() == GpuModelRegistry.MAX_MODELS ? -1L : (1L << models.size()) - 1;
    }

    /** Whether {@code pod} fits on {@code node} now. */
    public boolean fits(PlacementRequest pod, int node) {
        return fitCause(pod, node) == null;
    }

    /** The first reason {@code pod} does not fit {@code node}, or null when it fits. */
    public UnfitCause fitCause(PlacementRequest pod, int node) {
        if (pod.poolMask != 0 && (nodePools[node] & pod.poolMask) == 0) {
            return UnfitCause.OUTSIDE_POOL;
        }
        if (specTraits[node] != 0 || pod.hasNodeSelector()) {
            NodeSpec spec = specs[node];
            if (!spec.schedulable()) {
                return UnfitCause.CORDONED;
            }
            if (!spec.taints().isEmpty() && !pod.toleratesAll(spec.taints())) {
                return UnfitCause.TAINT_NOT_TOLERATED;
            }
            if (!pod.selectorMatches(spec.labels())) {
                return UnfitCause.NODE_SELECTOR_MISMATCH;
            }
        }
        if (pod.gpus > 0 || pod.gpuMilli > 0) {
            if (gpuCount[node] == 0) {
                return UnfitCause.NO_GPU;
            }
            if (!GpuModelRegistry.accepts(pod.modelMask, modelId[node])) {
                return UnfitCause.GPU_MODEL_MISMATCH;
            }
            if (pod.gpuMemoryBytes > 0 && specs[node].gpuMemoryBytes() > 0 && pod.gpuMemoryBytes > specs[node].gpuMemoryBytes()) {
                return UnfitCause.GPU_MEMORY_TOO_SMALL;
            }
            if (pod.gpus > 0 ? freeWholeGpus[node] < pod.gpus : largestShare[node] < pod.gpuMilli) {
                return pod.gpus > 0 ? UnfitCause.TOO_FEW_FREE_GPUS : UnfitCause.NO_GPU_SHARE_LEFT;
            }
        }
        if (pod.cpuMilli > cpuFree[node]) {
            return UnfitCause.INSUFFICIENT_CPU;
        }
        if (pod.memoryBytes > memoryFree[node]) {
            return UnfitCause.INSUFFICIENT_MEMORY;
        }
        if (pod.maxPerNode != ServiceConstraints.NO_CAP || pod.hardSpread) {
            return serviceCause(pod, node);
        }
        return null;
    }

    /** The pod's per-node cap, then its DoNotSchedule spread constraints, on {@code node}: O(constraints). */
    private UnfitCause serviceCause(PlacementRequest pod, int node) {
        int service = pod.serviceId;
        if (pod.maxPerNode != ServiceConstraints.NO_CAP && services.inDomain(service, SpreadLevel.NODE.ordinal(), node) >= pod.maxPerNode) {
            return UnfitCause.SERVICE_CAP;
        }
        if (pod.hardSpread) {
            java.util.List<SpreadConstraint> spread = pod.service().spread();
            for (int i = 0; i < spread.size(); i++) {
                SpreadConstraint c = spread.get(i);
                if (!c.hard()) {
                    continue;
                }
                int domainId = spreadDomain(node, c.level());
                if (domainId == NO_DOMAIN) {
                    return UnfitCause.SPREAD_LABEL_MISSING;
                }
                if (skewIfPlaced(service, c.level(), domainId) > c.maxSkew()) {
                    return UnfitCause.SPREAD_SKEW;
                }
            }
        }
        return null;
    }

    /** Kubernetes' skew of one more replica in {@code domainId}: its replicas + 1 - the fewest in any live domain. */
    private int skewIfPlaced(int service, SpreadLevel level, int domainId) {
        int l = level.ordinal();
        return services.inDomain(service, l, domainId) + 1 - services.fewest(service, l, liveDomainCount(level));
    }

    /**
     * How far placing {@code pod} on {@code node} would push its ScheduleAnyway spread constraints past
     * their maxSkew, summed (0 when all are kept, or the pod has none): the placer prefers the nodes
     * with the least. A node without the level's label counts as far past.
     */
    public int softSpreadExcess(PlacementRequest pod, int node) {
        if (!pod.softSpread) {
            return 0;
        }
        int excess = 0;
        java.util.List<SpreadConstraint> spread = pod.service().spread();
        for (int i = 0; i < spread.size(); i++) {
            SpreadConstraint c = spread.get(i);
            if (c.hard()) {
                continue;
            }
            int domainId = spreadDomain(node, c.level());
            excess += domainId == NO_DOMAIN ? UNLABELLED_EXCESS : Math.max(0, skewIfPlaced(pod.serviceId, c.level(), domainId) - c.maxSkew());
        }
        return excess;
    }

    private static final int UNLABELLED_EXCESS = 1 << 20;

    /**
     * Why {@code cause} (a service cause {@link #fitCause} gave for {@code pod} on {@code node}) holds, in
     * words, for example "node n3 already has 2 replicas of service web (cap 2)" or "zone a would have
     * skew 3 > maxSkew 1". Cold: for explanations.
     */
    public String describeServiceCause(PlacementRequest pod, int node, UnfitCause cause) {
        String service = pod.service().service();
        if (cause == UnfitCause.SERVICE_CAP) {
            return "node " + specs[node].name() + " already has " + services.inDomain(pod.serviceId, SpreadLevel.NODE.ordinal(), node)
                    + " replicas of service " + service + " (cap " + pod.maxPerNode + ")";
        }
        for (SpreadConstraint c : pod.service().spread()) {
            if (!c.hard()) {
                continue;
            }
            String level = c.level().name().toLowerCase(java.util.Locale.ROOT);
            int domainId = spreadDomain(node, c.level());
            if (domainId == NO_DOMAIN && cause == UnfitCause.SPREAD_LABEL_MISSING) {
                return "node " + specs[node].name() + " has no " + level + " label (" + c.level().kubernetesKey() + ")";
            }
            if (domainId != NO_DOMAIN && cause == UnfitCause.SPREAD_SKEW && skewIfPlaced(pod.serviceId, c.level(), domainId) > c.maxSkew()) {
                String name = c.level() == SpreadLevel.NODE ? specs[node].name() : domainName(c.level() == SpreadLevel.ZONE ? ZONE : RACK, domainId);
                return level + " " + name + " would have skew " + skewIfPlaced(pod.serviceId, c.level(), domainId)
                        + " > maxSkew " + c.maxSkew() + " for service " + service;
            }
        }
        return cause.describe(1);
    }

    // ------------------------------------------------------------------ reads

    public GpuModelRegistry models() {
        return models;
    }

    /** One past the highest node id ever used; node ids are {@code 0 <= id < nodeSlots()}. */
    public int nodeSlots() {
        return nodeSlots;
    }

    public int nodeCount() {
        return liveNodes;
    }

    public boolean isLive(int node) {
        return node >= 0 && node < nodeSlots && specs[node] != null;
    }

    /** Id of the node named {@code name}, or {@link #NO_NODE}. */
    public int nodeId(String name) {
        return nodeIdByName.getValue(name);
    }

    public NodeSpec node(int node) {
        checkLive(node);
        return specs[node];
    }

    public String nodeName(int node) {
        return specs[node].name();
    }

    public long cpuCapacity(int node) {
        return cpuCapacity[node];
    }

    public long memoryCapacity(int node) {
        return memoryCapacity[node];
    }

    public long cpuFree(int node) {
        return cpuFree[node];
    }

    public long memoryFree(int node) {
        return memoryFree[node];
    }

    public int gpuCount(int node) {
        return gpuCount[node];
    }

    /** Model id of the node's GPUs in {@link #models()}, or {@link GpuModelRegistry#NO_MODEL}. */
    public int gpuModelId(int node) {
        return modelId[node];
    }

    public int gpuFree(int node, int gpu) {
        return gpuFree[node * MAX_GPUS + gpu];
    }

    public int freeWholeGpus(int node) {
        return freeWholeGpus[node];
    }

    /** The largest share free on any one GPU of the node (1000 when a GPU is fully free). */
    public int largestFreeShare(int node) {
        return largestShare[node];
    }

    /** Free GPU milli summed over the node's GPUs (kept up to date, O(1)). */
    public long freeGpuMilli(int node) {
        return freeGpuMilliSum[node];
    }

    /**
     * The lowest-numbered GPUs of {@code node} with room for the pod (its whole GPUs, or its share on one
     * GPU), as a mask, or 0 when the node has not enough: for a pod bound by someone else, whose GPUs
     * nobody told us.
     */
    public int lowestFittingGpus(PlacementRequest pod, int node) {
        checkLive(node);
        int need = pod.gpus > 0 ? pod.gpus : (pod.gpuMilli > 0 ? 1 : 0);
        int perGpu = pod.gpus > 0 ? MILLI : pod.gpuMilli;
        int mask = 0;
        int base = node * MAX_GPUS;
        for (int g = 0; g < gpuCount[node] && Integer.bitCount(mask) < need; g++) {
            if (gpuFree[base + g] >= perGpu) {
                mask |= 1 << g;
            }
        }
        return Integer.bitCount(mask) == need ? mask : 0;
    }

    public int podsOnNode(int node) {
        return podsOnNode[node];
    }

    /**
     * Which GPU classes of pods the node hosts now, as a bit mask: bit 0 = pods with a share of one
     * GPU, bit k = pods with k whole GPUs. CPU-only pods are not counted.
     */
    public int gpuClassMask(int node) {
        return gpuClassMask[node];
    }

    // ------------------------------------------------------------------ node classes

    /**
     * Number of node classes now: nodes with the same spec and free state, which fit and score alike
     * (see {@link NodeClasses}). Classes come and go; read them by index only between mutations.
     */
    public int nodeClassCount() {
        return classes.liveClasses();
    }

    /** Id of the i-th current node class. */
    public int nodeClassId(int i) {
        return classes.liveClass(i);
    }

    /** The node of class {@code classId} with the lowest {@link #rankSeed() rank}: it speaks for the class. */
    public int nodeClassFirst(int classId) {
        return classes.first(classId);
    }

    public int nodeClassSize(int classId) {
        return classes.size(classId);
    }

    /** The j-th member of class {@code classId}, 0 <= j < size, in no particular order. */
    public int nodeClassMember(int classId, int j) {
        return classes.member(classId, j);
    }

    /** Receives node classes in ascending fullness; see {@link #visitByFullness}. */
    @FunctionalInterface
    public interface FullnessVisitor {
        /**
         * @param classId       a node class that may hold the pod's GPUs
         * @param bandLowKey    no class from here on in this GPU group has a fullness key below this
         * @return false to skip the rest of this GPU group
         */
        boolean visit(int classId, long bandLowKey);
    }

    /**
     * Visits, GPU group by GPU group (model and fully free GPUs), the node classes that could hold the
     * pod's GPUs, each group in ascending fullness key (free CPU milli + 16 x free GPU milli). A policy
     * whose score never rises with the key (best fit) can stop a group as soon as the key's bound falls
     * below the best score found. Cost: the classes visited, plus O(groups x 8) bit words.
     */
    public void visitByFullness(PlacementRequest pod, FullnessVisitor visitor) {
        if (!pod.asksGpu()) {
            classes.visitGroup(NodeClasses.NO_GPU_GROUP, visitor);
        }
        // a pod without GPUs may use any node: its model list only matters for GPUs
        long mask = pod.modelMask == 0 || !pod.asksGpu() ? allModelsMask() : pod.modelMask;
        int minWhole = pod.gpus;
        for (long bits = mask; bits != 0; bits &= bits - 1) {
            int model = Long.numberOfTrailingZeros(bits);
            for (int whole = minWhole; whole < NodeClasses.WHOLE_KEYS; whole++) {
                classes.visitGroup(model * NodeClasses.WHOLE_KEYS + whole, visitor);
            }
        }
    }

    /** Fullness key of a node: free CPU milli + 16 x free GPU milli (best fit's order). */
    public long fullnessKey(int node) {
        return cpuFree[node] + 16 * freeGpuMilliSum[node];
    }

    /** The seed of the node rank that orders each class. */
    public long rankSeed() {
        return classes.seed();
    }

    /**
     * Dense id of the node's domain at {@code level} ({@link #ZONE}, {@link #RACK}, {@link #NVLINK}),
     * or {@link #NO_DOMAIN} when the node is not labelled there. Ids are never reused.
     */
    public int domainId(int node, int level) {
        return domain[node * LEVELS + level];
    }

    /** Number of domain ids ever given out at {@code level}. */
    public int domainCount(int level) {
        return domainNames.get(level).size();
    }

    public String domainName(int level, int id) {
        return domainNames.get(level).get(id);
    }

    /**
     * How many more copies of {@code pod} {@code node} could hold now, by free CPU, memory and GPUs
     * (capped at {@code cap}); 0 when the pod does not fit at all.
     */
    public int copiesThatFit(PlacementRequest pod, int node, int cap) {
        if (fitCause(pod, node) != null) {
            return 0;
        }
        long copies = cap;
        if (pod.cpuMilli > 0) {
            copies = Math.min(copies, cpuFree[node] / pod.cpuMilli);
        }
        if (pod.memoryBytes > 0) {
            copies = Math.min(copies, memoryFree[node] / pod.memoryBytes);
        }
        if (pod.gpus > 0) {
            copies = Math.min(copies, freeWholeGpus[node] / pod.gpus);
        } else if (pod.gpuMilli > 0) {
            long shares = 0;
            int base = node * MAX_GPUS;
            for (int g = 0; g < gpuCount[node]; g++) {
                shares += gpuFree[base + g] / pod.gpuMilli;
            }
            copies = Math.min(copies, shares);
        }
        if (pod.maxPerNode != ServiceConstraints.NO_CAP) {
            copies = Math.min(copies, pod.maxPerNode - services.inDomain(pod.serviceId, SpreadLevel.NODE.ordinal(), node));
        }
        if (pod.hardSpread) {
            // one more replica may change the skew anywhere: promise only the next one
            copies = Math.min(copies, 1);
        }
        return (int) copies;
    }

    /** Increases on every change of the node; equal versions mean equal node state. */
    public long version(int node) {
        return version[node];
    }

    /**
     * How many node changes there have been: each one raised one node's {@link #version}. With
     * {@link #changedNode} a cache kept outside the state catches up on the nodes changed since it
     * last looked, instead of reading every node's version.
     */
    public long changeCount() {
        return changes.count();
    }

    /**
     * The oldest change {@link #changedNode} can still name: the log keeps at least the last
     * 2 x {@link #nodeSlots()} changes (fewer just after the node table grew). A reader that last looked
     * before it must reread every node's version.
     */
    public long oldestKeptChange() {
        return changes.oldest();
    }

    /**
     * The node that change number {@code change} touched (0-based, from {@link #oldestKeptChange()} to
     * below {@link #changeCount()}). It may have changed again since, and may since have been removed.
     */
    public int changedNode(long change) {
        if (change < changes.oldest() || change >= changes.count()) {
            throw new IllegalArgumentException("change " + change + ": not kept; the log holds changes "
                    + changes.oldest() + " to " + (changes.count() - 1));
        }
        return changes.node(change);
    }

    public long gpuCapacityMilli() {
        return gpuCapacityMilli;
    }

    /** CPU milli of all live nodes, kept on every node change (a sum over nodes per change would be quadratic). */
    public long cpuCapacityMilli() {
        return cpuCapacityMilli;
    }

    public long gpuAllocatedMilli() {
        return gpuAllocatedMilli;
    }

    public int totalGpus() {
        return totalGpus;
    }

    // ------------------------------------------------------------------ services and pools

    /** Dense id of {@code service}, or -1 when no replica of it was ever prepared. */
    public int serviceId(String service) {
        return services.idOf(service);
    }

    public String serviceName(int service) {
        return services.name(service);
    }

    /** Services ever prepared; ids are 0 until this. */
    public int serviceCount() {
        return services.serviceCount();
    }

    /** Replicas of {@code service} placed on {@code node} now. O(1). */
    public int serviceReplicasOn(int service, int node) {
        return services.inDomain(service, SpreadLevel.NODE.ordinal(), node);
    }

    /** Replicas of {@code service} in the {@code level} domain of {@code node} (0 when the node is unlabelled there). O(1). */
    public int serviceReplicasInDomainOf(int service, SpreadLevel level, int node) {
        return services.inDomain(service, level.ordinal(), spreadDomain(node, level));
    }

    /** The fewest replicas of {@code service} in any live domain of {@code level}. O(1) while some domain has none. */
    public int fewestServiceReplicas(int service, SpreadLevel level) {
        return services.fewest(service, level.ordinal(), liveDomainCount(level));
    }

    /** Domains of {@code level} with at least one live node. */
    public int liveDomainCount(SpreadLevel level) {
        return switch (level) {
            case NODE -> liveNodes;
            case ZONE -> liveDomains[ZONE];
            case RACK -> liveDomains[RACK];
        };
    }

    /** Whether some service's replica counts changed since {@link #drainChangedServices} last ran. */
    public boolean anyServiceChanged() {
        return services.anyChanged();
    }

    /**
     * Moves the ids of services whose replica counts changed (a replica placed or released) since the
     * last call into {@code out}. The agent uses it to wake pods parked by a spread constraint: a replica
     * placed or gone elsewhere can make a node acceptable that did not change itself.
     */
    public void drainChangedServices(IntArrayList out) {
        services.drainChanged(out);
    }

    /**
     * Registers the node pool of nodes labelled {@code labelKey=labelValue} and returns its bit for
     * {@link PlacementRequest#restrictToPools}; the same label twice gives the same bit. Cold: at most 31
     * pools, normally set up once from config.
     */
    public int registerPool(String labelKey, String labelValue) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i)[0].equals(labelKey) && pools.get(i)[1].equals(labelValue)) {
                return 1 << i;
            }
        }
        if (pools.size() == 31) {
            throw new IllegalStateException("pool " + labelKey + "=" + labelValue + ": at most 31 node pools");
        }
        pools.add(new String[] {labelKey, labelValue});
        for (int node = 0; node < nodeSlots; node++) {
            if (specs[node] != null) {
                nodePools[node] = poolsOf(specs[node]);
            }
        }
        return 1 << (pools.size() - 1);
    }

    /** The pool bits of {@code node}. */
    public int poolsOf(int node) {
        return nodePools[node];
    }

    private int poolsOf(NodeSpec spec) {
        int bits = 0;
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i)[1].equals(spec.labels().get(pools.get(i)[0]))) {
                bits |= 1 << i;
            }
        }
        return bits;
    }

    private int serviceIdOf(PodSpec spec) {
        return spec.service().hasService() ? services.intern(spec.service().service()) : ServiceCounts.NO_SERVICE;
    }

    /** The node's domain for a spread level: the node itself, or its zone or rack id. */
    private int spreadDomain(int node, SpreadLevel level) {
        return switch (level) {
            case NODE -> node;
            case ZONE -> domain[node * LEVELS + ZONE];
            case RACK -> domain[node * LEVELS + RACK];
        };
    }

    private void countService(int service, int node, int delta) {
        services.add(service, SpreadLevel.NODE.ordinal(), node, delta);
        services.add(service, SpreadLevel.ZONE.ordinal(), domain[node * LEVELS + ZONE], delta);
        services.add(service, SpreadLevel.RACK.ordinal(), domain[node * LEVELS + RACK], delta);
    }

    /** Adds (or with -1 takes away) every replica on {@code node} to its domains. Cold: a node changed topology. */
    private void countServicesOnNode(int node, int delta) {
        for (int slot = 0; slot < slotCount; slot++) {
            if (slotNode[slot] == node && slotByPod.get(slotPod[slot]) == slot && slotService[slot] != ServiceCounts.NO_SERVICE) {
                services.add(slotService[slot], SpreadLevel.ZONE.ordinal(), domain[node * LEVELS + ZONE], delta);
                services.add(slotService[slot], SpreadLevel.RACK.ordinal(), domain[node * LEVELS + RACK], delta);
            }
        }
    }

    /**
     * Placed pods whose service's per-node cap is exceeded on their node now (Gantry never places such a
     * pod; pods bound by others may be). O(pods): for checks and reports.
     */
    public int serviceCapViolations() {
        int violations = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            ServiceConstraints c = slotConstraints[slot];
            if (c != null && slotByPod.get(slotPod[slot]) == slot && c.maxPerNode() != ServiceConstraints.NO_CAP
                    && services.inDomain(slotService[slot], SpreadLevel.NODE.ordinal(), slotNode[slot]) > c.maxPerNode()) {
                violations++;
            }
        }
        return violations;
    }

    // ------------------------------------------------------------------ verification

    /**
     * Recomputes every derived value and index from the node table and the placements by brute force
     * and throws {@link IllegalStateException} on the first disagreement. O(nodes + pods); for tests and
     * the simulator's checking mode, never the hot path.
     */
    public void verify() {
        long[] cpuUsed = new long[nodeSlots];
        long[] memoryUsed = new long[nodeSlots];
        int[] gpuUsed = new int[nodeSlots * MAX_GPUS];
        int[] pods = new int[nodeSlots];
        int[] classMask = new int[nodeSlots];
        boolean[] wholeHolder = new boolean[nodeSlots * MAX_GPUS];
        int[] holders = new int[nodeSlots * MAX_GPUS];
        long allocated = 0;
        for (int slot = 0; slot < slotCount; slot++) {
            if (slotByPod.get(slotPod[slot]) != slot) {
                continue;
            }
            int node = slotNode[slot];
            if (!isLive(node)) {
                throw new IllegalStateException("pod id " + slotPod[slot] + " is placed on missing node " + node);
            }
            cpuUsed[node] += slotCpu[slot];
            memoryUsed[node] += slotMemory[slot];
            pods[node]++;
            if (slotGpuMask[slot] != 0) {
                classMask[node] |= 1 << (slotMilliPerGpu[slot] == MILLI ? Integer.bitCount(slotGpuMask[slot]) : 0);
            }
            for (int bits = slotGpuMask[slot]; bits != 0; bits &= bits - 1) {
                int idx = node * MAX_GPUS + Integer.numberOfTrailingZeros(bits);
                gpuUsed[idx] += slotMilliPerGpu[slot];
                holders[idx]++;
                wholeHolder[idx] |= slotMilliPerGpu[slot] == MILLI;
                allocated += slotMilliPerGpu[slot];
            }
        }
        long capacity = 0;
        long cpuTotal = 0;
        int gpus = 0;
        int live = 0;
        for (int node = 0; node < nodeSlots; node++) {
            if (specs[node] == null) {
                if (byFreeWholeGpus.modelOf(node) != NodeBuckets.NONE || byLargestShare.modelOf(node) != NodeBuckets.NONE) {
                    throw new IllegalStateException("removed node id " + node + " is still indexed");
                }
                continue;
            }
            live++;
            String name = specs[node].name();
            capacity += (long) gpuCount[node] * MILLI;
            cpuTotal += cpuCapacity[node];
            gpus += gpuCount[node];
            check(cpuFree[node] == cpuCapacity[node] - cpuUsed[node], name, "cpuFree", cpuFree[node], cpuCapacity[node] - cpuUsed[node]);
            check(memoryFree[node] == memoryCapacity[node] - memoryUsed[node], name, "memoryFree", memoryFree[node], memoryCapacity[node] - memoryUsed[node]);
            check(cpuFree[node] >= 0 && memoryFree[node] >= 0, name, "cpu/memory over capacity", cpuFree[node], memoryFree[node]);
            check(gpuClassMask[node] == classMask[node], name, "GPU class mask", gpuClassMask[node], classMask[node]);
            check(podsOnNode[node] == pods[node], name, "podsOnNode", podsOnNode[node], pods[node]);
            check(nodeIdByName.getValue(name) == node, name, "name index", nodeIdByName.getValue(name), node);
            int whole = 0;
            int largest = 0;
            for (int g = 0; g < gpuCount[node]; g++) {
                int idx = node * MAX_GPUS + g;
                int free = gpuFree[idx];
                check(free >= 0 && free <= MILLI, name, "GPU " + g + " free milli in 0..1000", free, MILLI);
                check(free == MILLI - gpuUsed[idx], name, "GPU " + g + " free milli", free, MILLI - gpuUsed[idx]);
                check(!wholeHolder[idx] || holders[idx] == 1, name, "GPU " + g + " held whole but shared by", holders[idx], 1);
                whole += free == MILLI ? 1 : 0;
                largest = Math.max(largest, free);
            }
            check(freeWholeGpus[node] == whole, name, "freeWholeGpus", freeWholeGpus[node], whole);
            check(largestShare[node] == largest, name, "largestShare", largestShare[node], largest);
            long sum = 0;
            for (int g = 0; g < gpuCount[node]; g++) {
                sum += gpuFree[node * MAX_GPUS + g];
            }
            check(freeGpuMilliSum[node] == sum, name, "free GPU milli sum", freeGpuMilliSum[node], sum);
            int expectedModel = gpuCount[node] > 0 ? modelId[node] : NodeBuckets.NONE;
            check(byFreeWholeGpus.modelOf(node) == expectedModel, name, "whole-GPU index model", byFreeWholeGpus.modelOf(node), expectedModel);
            check(byLargestShare.modelOf(node) == expectedModel, name, "share index model", byLargestShare.modelOf(node), expectedModel);
            if (gpuCount[node] > 0) {
                check(byFreeWholeGpus.keyOf(node) == whole, name, "whole-GPU index key", byFreeWholeGpus.keyOf(node), whole);
                check(byLargestShare.keyOf(node) == largest / SHARE_STEP, name, "share index key", byLargestShare.keyOf(node), largest / SHARE_STEP);
            }
        }
        check(live == liveNodes, "<cluster>", "live node count", liveNodes, live);
        verifyClasses();
        check(capacity == gpuCapacityMilli, "<cluster>", "GPU capacity milli", gpuCapacityMilli, capacity);
        check(cpuTotal == cpuCapacityMilli, "<cluster>", "CPU capacity milli", cpuCapacityMilli, cpuTotal);
        check(gpus == totalGpus, "<cluster>", "GPU count", totalGpus, gpus);
        check(allocated == gpuAllocatedMilli, "<cluster>", "allocated GPU milli", gpuAllocatedMilli, allocated);
        verifyServices();
    }

    /** Replica counts per service and domain against the placements, domain liveness against the nodes. */
    private void verifyServices() {
        java.util.Map<Long, Integer> expected = new java.util.HashMap<>(); // cold: boxing is fine here
        for (int slot = 0; slot < slotCount; slot++) {
            if (slotByPod.get(slotPod[slot]) != slot || slotService[slot] == ServiceCounts.NO_SERVICE) {
                continue;
            }
            int node = slotNode[slot];
            for (SpreadLevel level : SpreadLevel.values()) {
                int d = spreadDomain(node, level);
                if (d != NO_DOMAIN) {
                    expected.merge(((long) slotService[slot] * ServiceCounts.LEVELS + level.ordinal()) << 32 | d, 1, Integer::sum);
                }
            }
        }
        for (java.util.Map.Entry<Long, Integer> e : expected.entrySet()) {
            long key = e.getKey();
            int row = (int) (key >>> 32);
            int service = row / ServiceCounts.LEVELS;
            int level = row % ServiceCounts.LEVELS;
            int actual = services.inDomain(service, level, (int) key);
            check(actual == e.getValue(), "<service " + services.name(service) + ">",
                    SpreadLevel.values()[level] + " domain " + (int) key + " replicas", actual, e.getValue());
        }
        services.verifyHistograms();
        for (int level : new int[] {ZONE, RACK}) {
            int[] live = new int[domainCount(level)];
            for (int node = 0; node < nodeSlots; node++) {
                if (specs[node] != null && domain[node * LEVELS + level] != NO_DOMAIN) {
                    live[domain[node * LEVELS + level]]++;
                }
            }
            int domains = 0;
            for (int d = 0; d < live.length; d++) {
                check(live[d] == nodesInDomain[level][d], "<domain " + domainName(level, d) + ">", "live nodes", nodesInDomain[level][d], live[d]);
                domains += live[d] > 0 ? 1 : 0;
            }
            check(domains == liveDomains[level], "<cluster>", "live domains at level " + level, liveDomains[level], domains);
        }
        for (int node = 0; node < nodeSlots; node++) {
            if (specs[node] != null) {
                check(nodePools[node] == poolsOf(specs[node]), specs[node].name(), "pool bits", nodePools[node], poolsOf(specs[node]));
            }
        }
    }

    private void verifyClasses() {
        int members = 0;
        for (int i = 0; i < classes.liveClasses(); i++) {
            int id = classes.liveClass(i);
            int size = classes.size(id);
            check(size > 0, "<class " + id + ">", "live class size", size, 1);
            members += size;
            int first = classes.first(id);
            for (int j = 0; j < size; j++) {
                int node = classes.member(id, j);
                check(isLive(node), "<class " + id + ">", "member " + node + " is live", 0, 1);
                check(classes.classOf(node) == id, specs[node].name(), "class id", classes.classOf(node), id);
                check(Long.compareUnsigned(classes.rankOf(first), classes.rankOf(node)) <= 0, specs[node].name(),
                        "class " + id + " first member has the lowest rank", 0, 1);
                check(sameClassKey(first, node), specs[node].name(), "same fit-relevant state as its class's first member", 0, 1);
            }
        }
        check(members == liveNodes, "<cluster>", "nodes in classes", members, liveNodes);
    }

    private boolean sameClassKey(int a, int b) {
        if (specId[a] != specId[b] || cpuFree[a] != cpuFree[b] || memoryFree[a] != memoryFree[b]
                || gpuClassMask[a] != gpuClassMask[b] || gpuCount[a] != gpuCount[b]) {
            return false;
        }
        int[] x = Arrays.copyOfRange(gpuFree, a * MAX_GPUS, a * MAX_GPUS + gpuCount[a]);
        int[] y = Arrays.copyOfRange(gpuFree, b * MAX_GPUS, b * MAX_GPUS + gpuCount[b]);
        Arrays.sort(x);
        Arrays.sort(y);
        return Arrays.equals(x, y);
    }

    private static void check(boolean ok, String node, String what, long actual, long expected) {
        if (!ok) {
            throw new IllegalStateException("node " + node + ": " + what + " is " + actual + ", expected " + expected);
        }
    }

    // ------------------------------------------------------------------ internals

    private int internSpec(NodeSpec spec) {
        return specIds.computeIfAbsent(SpecKey.of(spec), k -> specIds.size());
    }

    private void setDomains(int node, NodeSpec spec) {
        clearDomains(node);
        domain[node * LEVELS + ZONE] = internDomain(ZONE, spec.topology().zone());
        domain[node * LEVELS + RACK] = internDomain(RACK, spec.topology().rack());
        domain[node * LEVELS + NVLINK] = internDomain(NVLINK, spec.topology().nvlinkDomain());
        countNodeInDomain(ZONE, domain[node * LEVELS + ZONE], +1);
        countNodeInDomain(RACK, domain[node * LEVELS + RACK], +1);
    }

    /** Takes the node out of its zone and rack counts and forgets its domains (a removed or relabelled node). */
    private void clearDomains(int node) {
        countNodeInDomain(ZONE, domain[node * LEVELS + ZONE], -1);
        countNodeInDomain(RACK, domain[node * LEVELS + RACK], -1);
        Arrays.fill(domain, node * LEVELS, (node + 1) * LEVELS, NO_DOMAIN);
    }

    private void countNodeInDomain(int level, int domainId, int delta) {
        if (domainId == NO_DOMAIN) {
            return;
        }
        if (domainId >= nodesInDomain[level].length) {
            nodesInDomain[level] = Arrays.copyOf(nodesInDomain[level], Math.max(domainId + 1, nodesInDomain[level].length * 2));
        }
        int before = nodesInDomain[level][domainId];
        nodesInDomain[level][domainId] = before + delta;
        liveDomains[level] += (before + delta > 0 ? 1 : 0) - (before > 0 ? 1 : 0);
    }

    private int internDomain(int level, String value) {
        if (value.isEmpty()) {
            return NO_DOMAIN;
        }
        int id = domainIds.get(level).getValue(value);
        if (id == NO_DOMAIN) {
            id = domainNames.get(level).size();
            domainNames.get(level).add(value);
            domainIds.get(level).put(value, id);
        }
        return id;
    }

    private void addGpuClass(int node, int gpuClass, int delta) {
        int count = gpuClassCount[node * GPU_CLASSES + gpuClass] += delta;
        if (count == 0) {
            gpuClassMask[node] &= ~(1 << gpuClass);
        } else {
            gpuClassMask[node] |= 1 << gpuClass;
        }
    }

    private void reindex(int node) {
        int count = gpuCount[node];
        int base = node * MAX_GPUS;
        int whole = 0;
        int largest = 0;
        long sum = 0;
        for (int g = 0; g < count; g++) {
            int free = gpuFree[base + g];
            whole += free == MILLI ? 1 : 0;
            largest = Math.max(largest, free);
            sum += free;
        }
        freeWholeGpus[node] = whole;
        largestShare[node] = largest;
        freeGpuMilliSum[node] = sum;
        classes.update(node, specId[node], modelId[node], cpuFree[node], memoryFree[node], gpuClassMask[node], gpuFree, base, count);
        if (count == 0) {
            byFreeWholeGpus.remove(node);
            byLargestShare.remove(node);
        } else {
            byFreeWholeGpus.put(node, modelId[node], whole);
            byLargestShare.put(node, modelId[node], largest / SHARE_STEP);
        }
    }

    private static byte traitsOf(NodeSpec spec) {
        return (byte) ((spec.schedulable() ? 0 : CORDON_BIT) | (spec.taints().isEmpty() ? 0 : TAINT_BIT));
    }

    /** Every change of a node goes through here: a new version, and an entry in the change log. */
    private void touched(int node) {
        version[node]++;
        changes.record(node);
    }

    private void checkLive(int node) {
        if (!isLive(node)) {
            throw new IllegalArgumentException("node id " + node + ": no such node");
        }
    }

    private void ensureNodeCapacity(int nodes) {
        if (nodes <= specs.length) {
            return;
        }
        int size = Math.max(nodes, specs.length * 2);
        specs = Arrays.copyOf(specs, size);
        specTraits = Arrays.copyOf(specTraits, size);
        cpuCapacity = Arrays.copyOf(cpuCapacity, size);
        memoryCapacity = Arrays.copyOf(memoryCapacity, size);
        cpuFree = Arrays.copyOf(cpuFree, size);
        memoryFree = Arrays.copyOf(memoryFree, size);
        gpuCount = Arrays.copyOf(gpuCount, size);
        modelId = Arrays.copyOf(modelId, size);
        gpuFree = Arrays.copyOf(gpuFree, size * MAX_GPUS);
        freeWholeGpus = Arrays.copyOf(freeWholeGpus, size);
        largestShare = Arrays.copyOf(largestShare, size);
        freeGpuMilliSum = Arrays.copyOf(freeGpuMilliSum, size);
        podsOnNode = Arrays.copyOf(podsOnNode, size);
        gpuClassCount = Arrays.copyOf(gpuClassCount, size * GPU_CLASSES);
        gpuClassMask = Arrays.copyOf(gpuClassMask, size);
        int oldDomains = domain.length;
        domain = Arrays.copyOf(domain, size * LEVELS);
        Arrays.fill(domain, oldDomains, domain.length, NO_DOMAIN);
        nodePools = Arrays.copyOf(nodePools, size);
        specId = Arrays.copyOf(specId, size);
        classes.ensureNodes(size);
        version = Arrays.copyOf(version, size);
        changes.ensureNodes(size);
        byFreeWholeGpus.ensureNodes(size);
        byLargestShare.ensureNodes(size);
    }

    private void ensureSlotCapacity(int slots) {
        if (slots <= slotPod.length) {
            return;
        }
        int size = Math.max(slots, Math.max(16, slotPod.length * 2));
        slotPod = Arrays.copyOf(slotPod, size);
        slotNode = Arrays.copyOf(slotNode, size);
        slotCpu = Arrays.copyOf(slotCpu, size);
        slotMemory = Arrays.copyOf(slotMemory, size);
        slotGpuMask = Arrays.copyOf(slotGpuMask, size);
        slotMilliPerGpu = Arrays.copyOf(slotMilliPerGpu, size);
        slotService = Arrays.copyOf(slotService, size);
        slotConstraints = Arrays.copyOf(slotConstraints, size);
    }
}
