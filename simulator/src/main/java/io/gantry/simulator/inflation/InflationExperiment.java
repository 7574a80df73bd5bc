package io.gantry.simulator.inflation;

import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.simulator.trace.TracePod;
import io.gantry.simulator.workload.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Every (policy, seed) inflation run of one workload, run in parallel (runs share nothing), and the
 * per-policy summary across seeds. The results do not depend on the number of threads.
 */
public final class InflationExperiment {

    /** What to run. */
    public record Config(List<String> policies, int seeds, long firstSeed, double inflateTo, boolean checkInvariants, int threads) {
        public Config {
            policies = List.copyOf(policies);
            if (policies.isEmpty()) {
                throw new IllegalArgumentException("--policies: give at least one policy");
            }
            if (seeds < 1) {
                throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
            }
            if (!(inflateTo > 0) || inflateTo > 10) {
                throw new IllegalArgumentException("--inflate-to must be in (0, 10], got " + inflateTo);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }

        /** The paper's seeds are 42..51. */
        public static final long PAPER_FIRST_SEED = 42;
    }

    private final Workload workload;
    private final Config config;

    public InflationExperiment(Workload workload, Config config) {
        this.workload = workload;
        this.config = config;
    }

    /** Runs everything; {@code progress} receives the count of finished runs (from worker threads). */
    public InflationSummary run(IntConsumer progress) {
        List<NodeSpec> nodes = workload.nodes().stream().map(Workload::toNodeSpec).toList();
        List<TracePod> population = workload.podsByName();
        TaskShapeDistribution typical = workload.typicalShapes();
        long capacity = workload.gpuCapacityMilli();
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("the cluster is empty: the node list has no nodes");
        }
        if (capacity == 0) {
            throw new IllegalArgumentException("the cluster has no GPUs: the inflation protocol measures GPU allocation");
        }
        List<List<PodSpec>> arrivalsBySeed = new ArrayList<>();
        for (int s = 0; s < config.seeds(); s++) {
            long seed = config.firstSeed() + s;
            List<TracePod> arrivals = InflationTuner.arrivals(population, capacity, config.inflateTo(), new SplittableRandom(seed));
            List<PodSpec> specs = new ArrayList<>(arrivals.size());
            for (int i = 0; i < arrivals.size(); i++) {
                specs.add(Workload.toPodSpec(arrivals.get(i), i, arrivals.get(i).name()));
            }
            arrivalsBySeed.add(specs);
        }
        List<InflationRun> runs = new ArrayList<>();
        for (String policy : config.policies()) {
            for (int s = 0; s < config.seeds(); s++) {
                runs.add(new InflationRun(nodes, arrivalsBySeed.get(s), policy, config.firstSeed() + s, typical, config.checkInvariants()));
            }
        }
        List<InflationRun.Series> series = runAll(runs, progress);
        int maxPercent = (int) Math.floor(config.inflateTo() * 100 + 1e-9);
        return InflationSummary.of(workload, config, series, maxPercent);
    }

    private List<InflationRun.Series> runAll(List<InflationRun> runs, IntConsumer progress) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.threads(), runs.size()), r -> {
            Thread t = new Thread(r, "inflation-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<InflationRun.Series>> futures = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
            for (InflationRun run : runs) {
                futures.add(pool.submit(() -> {
                    InflationRun.Series s = run.run();
                    progress.accept(done.incrementAndGet());
                    return s;
                }));
            }
            List<InflationRun.Series> out = new ArrayList<>();
            for (Future<InflationRun.Series> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    public int runCount() {
        return config.policies().size() * config.seeds();
    }
}
