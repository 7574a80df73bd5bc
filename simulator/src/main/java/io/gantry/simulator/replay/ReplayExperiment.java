package io.gantry.simulator.replay;

import io.gantry.core.agent.SchedulerConfig;
import io.gantry.simulator.workload.Workload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** A timed replay per policy (as the policy of both workload classes), run in parallel. */
public final class ReplayExperiment {
    private final Workload workload;
    private final List<String> policies;
    private final ReplaySimulation.Config base;
    private final int threads;

    public ReplayExperiment(Workload workload, List<String> policies, ReplaySimulation.Config base, int threads) {
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("--policies: give at least one policy");
        }
        this.workload = workload;
        this.policies = List.copyOf(policies);
        this.base = base;
        this.threads = threads;
    }

    public List<ReplayResult> run(IntConsumer progress) {
        SchedulerConfig scheduler = base.scheduler().withTaskShapes(workload.typicalShapes());
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, policies.size())), r -> {
            Thread t = new Thread(r, "replay-run");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<ReplayResult>> futures = new ArrayList<>();
            for (String policy : policies) {
                ReplaySimulation.Config config = new ReplaySimulation.Config(scheduler.withPolicies(policy, policy),
                        base.gangShare(), base.seed(), base.bindLatencyNanos(), base.sampleIntervalNanos(), base.checkInvariants());
                futures.add(pool.submit(() -> {
                    ReplayResult result = new ReplaySimulation(config).run(workload);
                    progress.accept(done.incrementAndGet());
                    return result;
                }));
            }
            List<ReplayResult> results = new ArrayList<>();
            for (Future<ReplayResult> f : futures) {
                results.add(f.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
