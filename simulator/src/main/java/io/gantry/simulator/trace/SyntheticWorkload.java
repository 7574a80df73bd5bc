package io.gantry.simulator.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A seeded synthetic workload in the spirit of the Alibaba openb trace: a cluster of GPU nodes of a few
 * kinds plus some CPU-only nodes, and a stream of mostly single-GPU and fractional-GPU pods with some
 * multi-GPU and CPU-only ones, arriving as a Poisson process and living for heavy-tailed (lognormal)
 * durations, so that a timed replay keeps the cluster busy.
 *
 * <p>Every pod fits on an empty node of the cluster's node kinds: a GPU pod is sized against a node kind
 * with enough GPUs (its CPU and memory grow with its GPU share), and a GPU model constraint always
 * includes that kind's model. Pods come out {@code Pending} with no scheduled time: the workload is the
 * demand, the simulator decides the outcome.
 *
 * <p>The same {@link Config} gives identical output on any JDK: randomness comes only from
 * {@link SplittableRandom}, whose algorithm is specified, the Gaussian and exponential draws are computed
 * here rather than by the JDK's unspecified default methods, and with {@link StrictMath}, whose results
 * are bit-for-bit fixed where {@link Math}'s may vary by platform. Nodes and pods use separate random
 * streams, so changing the pod count or mix leaves the cluster unchanged.
 */
public final class SyntheticWorkload {

    /** Durations are capped so that one unlucky draw from the lognormal tail cannot outlive any replay. */
    public static final long MAX_DURATION_SECONDS = 30L * 24 * 3600;

    /** The kinds of GPU node and their share of the GPU nodes; the weights sum to 1. */
    private static final List<Weighted<NodeKind>> GPU_NODE_KINDS = List.of(
            new Weighted<>(new NodeKind("A100", 8, 96_000, 786_432), 0.20),
            new Weighted<>(new NodeKind("V100M32", 8, 96_000, 786_432), 0.15),
            new Weighted<>(new NodeKind("V100M16", 4, 32_000, 131_072), 0.10),
            new Weighted<>(new NodeKind("T4", 4, 96_000, 393_216), 0.10),
            new Weighted<>(new NodeKind("T4", 2, 104_000, 524_288), 0.25),
            new Weighted<>(new NodeKind("A10", 2, 64_000, 262_144), 0.15),
            new Weighted<>(new NodeKind("P100", 2, 16_000, 122_880), 0.05));
    private static final List<Weighted<NodeKind>> CPU_NODE_KINDS = List.of(
            new Weighted<>(new NodeKind("", 0, 32_000, 262_144), 0.5),
            new Weighted<>(new NodeKind("", 0, 96_000, 524_288), 0.3),
            new Weighted<>(new NodeKind("", 0, 104_000, 524_288), 0.2));

    /** Fractional GPU shares, in thousandths; GPU-sharing users ask for round fractions. */
    private static final List<Weighted<Integer>> FRACTIONAL_GPU_MILLI = List.of(
            new Weighted<>(100, 0.10), new Weighted<>(200, 0.15), new Weighted<>(250, 0.15),
            new Weighted<>(300, 0.15), new Weighted<>(400, 0.10), new Weighted<>(500, 0.20),
            new Weighted<>(700, 0.10), new Weighted<>(800, 0.05));
    private static final List<Weighted<Integer>> MULTI_GPU_COUNTS = List.of(
            new Weighted<>(2, 0.3), new Weighted<>(4, 0.3), new Weighted<>(8, 0.4));
    /** CPU asked per whole GPU, before capping at the node kind's own CPU per GPU. */
    private static final List<Weighted<Long>> CPU_MILLI_PER_GPU = List.of(
            new Weighted<>(4_000L, 0.3), new Weighted<>(8_000L, 0.4), new Weighted<>(12_000L, 0.3));
    private static final List<Weighted<Long>> CPU_ONLY_POD_CPU_MILLI = List.of(
            new Weighted<>(1_000L, 0.10), new Weighted<>(2_000L, 0.15), new Weighted<>(4_000L, 0.25),
            new Weighted<>(8_000L, 0.25), new Weighted<>(12_500L, 0.10), new Weighted<>(16_000L, 0.10),
            new Weighted<>(32_000L, 0.05));
    private static final List<Weighted<Long>> MEMORY_MIB_PER_CORE = List.of(
            new Weighted<>(2_048L, 0.3), new Weighted<>(4_096L, 0.5), new Weighted<>(8_192L, 0.2));

    /** openb's default trace is 57% latency-sensitive (LS), the rest best-effort (BE) bar a handful. */
    private static final double LATENCY_SENSITIVE_SHARE = 0.57;
    /** How often a model constraint names a second acceptable model, like openb's "V100M16|V100M32". */
    private static final double SECOND_MODEL_SHARE = 0.3;
    private static final long CPU_MILLI_GRANULE = 100;
    private static final long MEMORY_MIB_GRANULE = 256;

    private final Config config;
    private final List<TraceNode> nodes;
    private final List<TracePod> pods;

    private SyntheticWorkload(Config config, List<TraceNode> nodes, List<TracePod> pods) {
        this.config = config;
        this.nodes = List.copyOf(nodes);
        this.pods = List.copyOf(pods);
    }

    /**
     * What to generate. Pod kinds are drawn independently per pod with the given shares; whatever the
     * three shares leave is single whole-GPU pods.
     *
     * @param seed                    the only source of randomness
     * @param nodeCount               nodes in the cluster, >= 0
     * @param cpuOnlyNodeShare        share of nodes without GPUs, 0..1
     * @param podCount                pods in the workload, >= 0
     * @param cpuOnlyPodShare         share of pods asking for no GPU, 0..1
     * @param fractionalGpuPodShare   share of pods asking for part of one GPU, 0..1
     * @param multiGpuPodShare        share of pods asking for 2, 4 or 8 whole GPUs, 0..1
     * @param gpuModelConstraintShare share of GPU pods restricted to one or two GPU models, 0..1
     * @param meanInterArrivalSeconds mean gap between pod creations (Poisson arrivals), > 0
     * @param medianDurationSeconds   median pod lifetime, > 0
     * @param durationSigma           sigma of the lognormal lifetime (0 gives every pod the median), >= 0
     * @throws IllegalArgumentException when a value is out of range or the pod shares sum to more than 1
     */
    public record Config(long seed, int nodeCount, double cpuOnlyNodeShare, int podCount, double cpuOnlyPodShare,
                         double fractionalGpuPodShare, double multiGpuPodShare, double gpuModelConstraintShare,
                         double meanInterArrivalSeconds, double medianDurationSeconds, double durationSigma) {

        /** Rounding slack when checking that the pod shares sum to at most 1. */
        private static final double SHARE_SUM_TOLERANCE = 1e-9;

        public Config {
            requireCount("nodeCount", nodeCount);
            requireCount("podCount", podCount);
            requireShare("cpuOnlyNodeShare", cpuOnlyNodeShare);
            requireShare("cpuOnlyPodShare", cpuOnlyPodShare);
            requireShare("fractionalGpuPodShare", fractionalGpuPodShare);
            requireShare("multiGpuPodShare", multiGpuPodShare);
            requireShare("gpuModelConstraintShare", gpuModelConstraintShare);
            double podShares = cpuOnlyPodShare + fractionalGpuPodShare + multiGpuPodShare;
            if (podShares > 1 + SHARE_SUM_TOLERANCE) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "SyntheticWorkload.Config: pod shares must sum to at most 1, got cpuOnlyPodShare %s"
                                + " + fractionalGpuPodShare %s + multiGpuPodShare %s = %s",
                        cpuOnlyPodShare, fractionalGpuPodShare, multiGpuPodShare, podShares));
            }
            requirePositive("meanInterArrivalSeconds", meanInterArrivalSeconds);
            requirePositive("medianDurationSeconds", medianDurationSeconds);
            if (!(durationSigma >= 0) || Double.isInfinite(durationSigma)) {
                throw new IllegalArgumentException(
                        "SyntheticWorkload.Config: durationSigma must be a finite number >= 0, got " + durationSigma);
            }
        }

        /**
         * A production-like GPU cluster: 1,000 nodes (10% CPU-only, the rest 8-GPU A100 and V100M32, 4-GPU
         * V100M16 and T4, 2-GPU T4, A10 and P100; about 4,000 GPUs) and 10,000 pods (13% CPU-only, 38%
         * fractional, 5% multi-GPU, 44% single whole GPU; 5% of GPU pods constrained to a model). Lifetimes
         * are lognormal with the median and spread of the openb default trace (p50 540 s, p90 about
         * 6,500 s). Pods arrive every 0.2 s on average, so the GPU demand of live pods climbs to about 85% of
         * the cluster's GPUs by the last arrival (the tail makes warming up slow), then drains.
         */
        public static Config defaults() {
            return new Config(1, 1_000, 0.10, 10_000, 0.13, 0.38, 0.05, 0.05, 0.2, 540, 1.9);
        }

        /** Share of single whole-GPU pods: what the other pod shares leave. */
        public double wholeGpuPodShare() {
            return Math.max(0, 1 - cpuOnlyPodShare - fractionalGpuPodShare - multiGpuPodShare);
        }

        public Config withSeed(long value) {
            return new Config(value, nodeCount, cpuOnlyNodeShare, podCount, cpuOnlyPodShare, fractionalGpuPodShare,
                    multiGpuPodShare, gpuModelConstraintShare, meanInterArrivalSeconds, medianDurationSeconds,
                    durationSigma);
        }

        public Config withNodeCount(int value) {
            return new Config(seed, value, cpuOnlyNodeShare, podCount, cpuOnlyPodShare, fractionalGpuPodShare,
                    multiGpuPodShare, gpuModelConstraintShare, meanInterArrivalSeconds, medianDurationSeconds,
                    durationSigma);
        }

        public Config withPodCount(int value) {
            return new Config(seed, nodeCount, cpuOnlyNodeShare, value, cpuOnlyPodShare, fractionalGpuPodShare,
                    multiGpuPodShare, gpuModelConstraintShare, meanInterArrivalSeconds, medianDurationSeconds,
                    durationSigma);
        }

        /** Same config with pods arriving on average every {@code seconds} (Poisson). */
        public Config withMeanInterArrivalSeconds(double seconds) {
            return new Config(seed, nodeCount, cpuOnlyNodeShare, podCount, cpuOnlyPodShare, fractionalGpuPodShare,
                    multiGpuPodShare, gpuModelConstraintShare, seconds, medianDurationSeconds, durationSigma);
        }

        /** The same config with another pod mix; the rest of the pods ask for one whole GPU. */
        public Config withPodMix(double cpuOnly, double fractionalGpu, double multiGpu) {
            return new Config(seed, nodeCount, cpuOnlyNodeShare, podCount, cpuOnly, fractionalGpu, multiGpu,
                    gpuModelConstraintShare, meanInterArrivalSeconds, medianDurationSeconds, durationSigma);
        }

        private static void requireCount(String field, int value) {
            if (value < 0) {
                throw new IllegalArgumentException("SyntheticWorkload.Config: " + field + " must be >= 0, got " + value);
            }
        }

        private static void requireShare(String field, double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(
                        "SyntheticWorkload.Config: " + field + " must be a share in 0..1, got " + value);
            }
        }

        private static void requirePositive(String field, double value) {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(
                        "SyntheticWorkload.Config: " + field + " must be a finite number > 0, got " + value);
            }
        }
    }

    /** Generates the workload {@code config} describes. */
    public static SyntheticWorkload generate(Config config) {
        SplittableRandom root = new SplittableRandom(config.seed());
        SplittableRandom nodeRandom = root.split();
        SplittableRandom podRandom = root.split();
        return new SyntheticWorkload(config, generateNodes(config, nodeRandom), generatePods(config, podRandom));
    }

    /** The config this workload was generated from. */
    public Config config() {
        return config;
    }

    /** The cluster, named {@code syn-node-0000} onwards. */
    public List<TraceNode> nodes() {
        return nodes;
    }

    /** The pods in creation order, named {@code syn-pod-00000} onwards. */
    public List<TracePod> pods() {
        return pods;
    }

    private static List<TraceNode> generateNodes(Config config, SplittableRandom random) {
        List<TraceNode> nodes = new ArrayList<>(config.nodeCount());
        for (int i = 0; i < config.nodeCount(); i++) {
            boolean cpuOnly = random.nextDouble() < config.cpuOnlyNodeShare();
            NodeKind kind = pick(random, cpuOnly ? CPU_NODE_KINDS : GPU_NODE_KINDS);
            nodes.add(new TraceNode(String.format(Locale.ROOT, "syn-node-%04d", i),
                    kind.cpuMilli(), kind.memoryMib(), kind.gpus(), kind.model()));
        }
        return nodes;
    }

    private static List<TracePod> generatePods(Config config, SplittableRandom random) {
        List<TracePod> pods = new ArrayList<>(config.podCount());
        double arrivalClock = 0;
        double logMedian = StrictMath.log(config.medianDurationSeconds());
        for (int i = 0; i < config.podCount(); i++) {
            String name = String.format(Locale.ROOT, "syn-pod-%05d", i);
            double kindDraw = random.nextDouble();
            PodShape shape;
            if (kindDraw < config.cpuOnlyPodShare()) {
                shape = cpuOnlyShape(random);
            } else if (kindDraw < config.cpuOnlyPodShare() + config.fractionalGpuPodShare()) {
                shape = gpuShape(random, config, 1, pick(random, FRACTIONAL_GPU_MILLI));
            } else if (kindDraw < config.cpuOnlyPodShare() + config.fractionalGpuPodShare() + config.multiGpuPodShare()) {
                shape = gpuShape(random, config, pick(random, MULTI_GPU_COUNTS), TracePod.MILLI_PER_GPU);
            } else {
                shape = gpuShape(random, config, 1, TracePod.MILLI_PER_GPU);
            }
            String qos = random.nextDouble() < LATENCY_SENSITIVE_SHARE ? "LS" : "BE";
            arrivalClock += exponential(random, config.meanInterArrivalSeconds());
            long creationTime = (long) arrivalClock;
            double duration = StrictMath.exp(logMedian + config.durationSigma() * standardGaussian(random));
            long lifetime = Math.max(1, Math.min(MAX_DURATION_SECONDS, Math.round(duration)));
            pods.add(new TracePod(name, shape.cpuMilli(), shape.memoryMib(), shape.numGpu(), shape.gpuMilli(),
                    shape.gpuSpec(), qos, "Pending", creationTime, creationTime + lifetime, TracePod.UNKNOWN_TIME));
        }
        return pods;
    }

    private static PodShape cpuOnlyShape(SplittableRandom random) {
        long cpuMilli = pick(random, CPU_ONLY_POD_CPU_MILLI);
        long memoryMib = roundDown(cpuMilli * pick(random, MEMORY_MIB_PER_CORE) / 1000, MEMORY_MIB_GRANULE);
        return new PodShape(cpuMilli, memoryMib, 0, 0, Set.of());
    }

    /**
     * A GPU pod sized against a node kind that can hold it, so that it never asks for more CPU or memory
     * per GPU than that kind offers.
     */
    private static PodShape gpuShape(SplittableRandom random, Config config, int numGpu, int gpuMilli) {
        List<Weighted<NodeKind>> hosts = GPU_NODE_KINDS.stream().filter(k -> k.value().gpus() >= numGpu).toList();
        NodeKind host = pick(random, hosts);
        double gpus = numGpu * (gpuMilli / (double) TracePod.MILLI_PER_GPU);
        long cpuPerGpu = Math.min(pick(random, CPU_MILLI_PER_GPU), host.cpuMilli() / host.gpus());
        long cpuMilli = Math.max(CPU_MILLI_GRANULE, roundDown((long) (cpuPerGpu * gpus), CPU_MILLI_GRANULE));
        long wantedMemoryMib = cpuMilli * pick(random, MEMORY_MIB_PER_CORE) / 1000;
        long hostMemoryShareMib = (long) (host.memoryMib() / (double) host.gpus() * gpus);
        long memoryMib = Math.max(MEMORY_MIB_GRANULE,
                roundDown(Math.min(wantedMemoryMib, hostMemoryShareMib), MEMORY_MIB_GRANULE));
        Set<String> gpuSpec = Set.of();
        if (random.nextDouble() < config.gpuModelConstraintShare()) {
            Set<String> models = new TreeSet<>();
            models.add(host.model());
            if (random.nextDouble() < SECOND_MODEL_SHARE) {
                models.add(pick(random, hosts).model());
            }
            gpuSpec = models;
        }
        return new PodShape(cpuMilli, memoryMib, numGpu, gpuMilli, gpuSpec);
    }

    private static long roundDown(long value, long granule) {
        return value / granule * granule;
    }

    private static <T> T pick(SplittableRandom random, List<Weighted<T>> choices) {
        double total = 0;
        for (Weighted<T> choice : choices) {
            total += choice.weight();
        }
        double draw = random.nextDouble() * total;
        for (Weighted<T> choice : choices) {
            draw -= choice.weight();
            if (draw < 0) {
                return choice.value();
            }
        }
        // Only reachable through rounding when the draw lands on the very top of the range.
        return choices.get(choices.size() - 1).value();
    }

    /** Inverse-CDF exponential; 1 - nextDouble() is in (0, 1], so the logarithm is finite. */
    private static double exponential(SplittableRandom random, double mean) {
        return -mean * StrictMath.log(1 - random.nextDouble());
    }

    /** Box-Muller, keeping one of the pair: simple, and the same on every JDK. */
    private static double standardGaussian(SplittableRandom random) {
        double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - random.nextDouble()));
        return radius * StrictMath.cos(2 * Math.PI * random.nextDouble());
    }

    private record NodeKind(String model, int gpus, long cpuMilli, long memoryMib) {
    }

    private record Weighted<T>(T value, double weight) {
    }

    private record PodShape(long cpuMilli, long memoryMib, int numGpu, int gpuMilli, Set<String> gpuSpec) {
    }
}
