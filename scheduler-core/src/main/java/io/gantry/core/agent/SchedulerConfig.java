package io.gantry.core.agent;

import io.gantry.core.model.WorkloadClass;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.TaskShapeDistribution;

import java.util.Objects;

/**
 * How the agent schedules.
 *
 * @param trainingPolicy            placement policy for training pods, by {@link Policies} name
 * @param inferencePolicy           placement policy for inference pods
 * @param taskShapes                expected task shapes (FGD measures fragmentation against them)
 * @param seed                      seed of the fixed node rank for ties and of any policy randomness
 * @param maxEventsPerCycle         intake events applied per duty cycle, so intake cannot starve scheduling
 * @param maxDecisionsPerCycle      units scheduled per duty cycle, so a long pending queue cannot starve intake
 * @param reservationDelayNanos     how long a gang waits before nodes are reserved for it; 0 never reserves
 * @param inferencePreemptible      whether inference pods may be evicted by higher priority work
 * @param preemption                whether preemption (and quota reclaim) is on at all
 * @param pools                     node pools preferred per workload class (overflow when full)
 */
public record SchedulerConfig(String trainingPolicy, String inferencePolicy, TaskShapeDistribution taskShapes, long seed,
                              int maxEventsPerCycle, int maxDecisionsPerCycle, long reservationDelayNanos,
                              boolean inferencePreemptible, boolean preemption, NodePools pools) {
    public SchedulerConfig {
        pools = pools == null ? NodePools.NONE : pools;
        Objects.requireNonNull(trainingPolicy, "trainingPolicy");
        Objects.requireNonNull(inferencePolicy, "inferencePolicy");
        Objects.requireNonNull(taskShapes, "taskShapes");
        for (String policy : new String[] {trainingPolicy, inferencePolicy}) {
            if (!Policies.ALL.contains(policy)) {
                throw new IllegalArgumentException("policy \"" + policy + "\" is unknown; known: " + String.join(", ", Policies.ALL));
            }
        }
        if (maxEventsPerCycle < 1 || maxDecisionsPerCycle < 1) {
            throw new IllegalArgumentException("maxEventsPerCycle and maxDecisionsPerCycle must be at least 1");
        }
        if (reservationDelayNanos < 0) {
            throw new IllegalArgumentException("reservationDelay must not be negative, got " + reservationDelayNanos);
        }
    }

    /** A config without node pools: the form every caller used before pools existed. */
    public SchedulerConfig(String trainingPolicy, String inferencePolicy, TaskShapeDistribution taskShapes, long seed,
                           int maxEventsPerCycle, int maxDecisionsPerCycle, long reservationDelayNanos,
                           boolean inferencePreemptible, boolean preemption) {
        this(trainingPolicy, inferencePolicy, taskShapes, seed, maxEventsPerCycle, maxDecisionsPerCycle, reservationDelayNanos,
                inferencePreemptible, preemption, NodePools.NONE);
    }

    /** Best fit for training, spread for inference, reservations after 5 minutes, preemption on. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig("bestfit", "spread", TaskShapeDistribution.EMPTY, 1, 1024, 1024,
                300_000_000_000L, false, true);
    }

    public String policyFor(WorkloadClass workloadClass) {
        return workloadClass == WorkloadClass.INFERENCE ? inferencePolicy : trainingPolicy;
    }

    public SchedulerConfig withPolicies(String training, String inference) {
        return new SchedulerConfig(training, inference, taskShapes, seed, maxEventsPerCycle, maxDecisionsPerCycle,
                reservationDelayNanos, inferencePreemptible, preemption, pools);
    }

    public SchedulerConfig withTaskShapes(TaskShapeDistribution value) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, value, seed, maxEventsPerCycle, maxDecisionsPerCycle,
                reservationDelayNanos, inferencePreemptible, preemption, pools);
    }

    public SchedulerConfig withSeed(long value) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, taskShapes, value, maxEventsPerCycle, maxDecisionsPerCycle,
                reservationDelayNanos, inferencePreemptible, preemption, pools);
    }

    public SchedulerConfig withReservationDelayNanos(long value) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, taskShapes, seed, maxEventsPerCycle, maxDecisionsPerCycle,
                value, inferencePreemptible, preemption, pools);
    }

    public SchedulerConfig withInferencePreemptible(boolean value) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, taskShapes, seed, maxEventsPerCycle, maxDecisionsPerCycle,
                reservationDelayNanos, value, preemption, pools);
    }

    public SchedulerConfig withPreemption(boolean value) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, taskShapes, seed, maxEventsPerCycle, maxDecisionsPerCycle,
                reservationDelayNanos, inferencePreemptible, value, pools);
    }

    public SchedulerConfig withCycleLimits(int events, int decisions) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, taskShapes, seed, events, decisions,
                reservationDelayNanos, inferencePreemptible, preemption, pools);
    }

    public SchedulerConfig withPools(NodePools value) {
        return new SchedulerConfig(trainingPolicy, inferencePolicy, taskShapes, seed, maxEventsPerCycle, maxDecisionsPerCycle,
                reservationDelayNanos, inferencePreemptible, preemption, value);
    }
}
