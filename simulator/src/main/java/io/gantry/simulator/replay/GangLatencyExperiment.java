package io.gantry.simulator.replay;

import io.gantry.core.agent.SchedulerAgent;
import io.gantry.core.agent.SchedulerConfig;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.ServiceConstraints;
import io.gantry.core.model.Topology;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.outbox.Outbox;
import org.HdrHistogram.Histogram;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.CachedNanoClock;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inference decision latency while big gangs are planned: on a cluster of {@code nodes} 8-GPU nodes,
 * each round sends a gang of {@code gangSize} one-GPU training workers and then a few inference
 * replicas (a service with a per-node cap of 2, at a higher priority) through the real intake queue,
 * and runs the agent's duty cycles until it idles, confirming binds as a binder would. Gangs and
 * replicas leave after {@code keepRounds} rounds, so the cluster stays about half full.
 *
 * <p>Measured in wall time: from the moment each inference pod is offered to the intake queue to its
 * bind, and the time each gang's plan takes (from the round's last inference decision to the gang's
 * first bind). The agent takes units in priority order each cycle, so replicas offered with a gang are
 * decided before its plan; a replica arriving while a plan runs waits for the rest of that plan, which
 * the plan time bounds. Rounds before {@code warmupRounds} are not recorded (JIT).
 */
public final class GangLatencyExperiment {
    private static final int INFERENCE_PRIORITY = 100;

    /** Latencies in microseconds. */
    public record Result(int nodes, int gangSize, int rounds, long inferenceDecisions, double p50Us, double p99Us, double p999Us,
                         double maxUs, double gangPlanP50Us, double gangPlanP99Us, double gangPlanMaxUs, long unplacedGangs,
                         String agentError) {
    }

    private final int nodes;
    private final int gangSize;
    private final int inferencePerRound;
    private final int rounds;
    private final int warmupRounds;
    private final int keepRounds;

    public GangLatencyExperiment(int nodes, int gangSize, int inferencePerRound, int rounds, int warmupRounds) {
        if (nodes < 1 || gangSize < 1 || inferencePerRound < 1 || rounds <= warmupRounds) {
            throw new IllegalArgumentException("latency experiment: nodes, gang size and replicas per round must be at least 1,"
                    + " and rounds (" + rounds + ") more than warm-up rounds (" + warmupRounds + ")");
        }
        this.nodes = nodes;
        this.gangSize = gangSize;
        this.inferencePerRound = inferencePerRound;
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        this.keepRounds = Math.max(1, nodes * 8 / 2 / (gangSize + inferencePerRound));
    }

    public Result run(SchedulerConfig scheduler) {
        IntakeQueue intake = new IntakeQueue(8192);
        CachedNanoClock clock = new CachedNanoClock();
        Recorder outbox = new Recorder();
        SchedulerAgent agent = new SchedulerAgent(scheduler.withPreemption(false), intake, outbox, clock);
        for (int n = 0; n < nodes; n++) {
            offer(intake, agent, new SchedulerEvent.NodeAdded(new NodeSpec("node-" + n, 96_000, 1024L << 30, 8, "H100", 0, Map.of(),
                    new Topology("zone-" + n % 4, "rack-" + n % 64, ""), true, List.of())));
        }
        runUntilIdle(agent, intake, outbox);
        Histogram inference = new Histogram(60_000_000_000L, 3);
        Histogram plans = new Histogram(60_000_000_000L, 3);
        long unplaced = 0;
        long id = 0;
        long[] firstIdOfRound = new long[rounds + 1];
        for (int round = 0; round < rounds; round++) {
            firstIdOfRound[round] = id;
            if (round >= keepRounds) {
                for (long gone = firstIdOfRound[round - keepRounds]; gone < firstIdOfRound[round - keepRounds + 1]; gone++) {
                    offer(intake, agent, new SchedulerEvent.PodRemoved(gone, true));
                }
                runUntilIdle(agent, intake, outbox);
            }
            String gang = "gang-" + round;
            offer(intake, agent, new SchedulerEvent.GangUpdated(new GangSpec(gang, gangSize, 0, TopologyLevel.NONE, false)));
            for (int m = 0; m < gangSize; m++) {
                offer(intake, agent, new SchedulerEvent.PodAdded(new PodSpec(id, gang + "-" + m, ResourceRequest.wholeGpus(4000, 32L << 30, 1),
                        0, PodSpec.DEFAULT_QUEUE, WorkloadClass.TRAINING, Set.of(), Map.of(), List.of(), gang)));
                id++;
            }
            outbox.startRound(id, inferencePerRound);
            for (int k = 0; k < inferencePerRound; k++) {
                PodSpec replica = new PodSpec(id, "serve-" + id, ResourceRequest.wholeGpus(8000, 64L << 30, 1), INFERENCE_PRIORITY,
                        PodSpec.DEFAULT_QUEUE, WorkloadClass.INFERENCE, Set.of(), Map.of(), List.of(), "",
                        ServiceConstraints.capped("svc-" + round % 32, 2));
                outbox.offeredAt[k] = System.nanoTime();
                offer(intake, agent, new SchedulerEvent.PodAdded(replica));
                id++;
            }
            runUntilIdle(agent, intake, outbox);
            if (round >= warmupRounds) {
                for (int k = 0; k < inferencePerRound; k++) {
                    if (outbox.decidedAt[k] > 0) {
                        inference.recordValue(Math.max(0, outbox.decidedAt[k] - outbox.offeredAt[k]));
                    }
                }
                if (outbox.firstGangBindAt > 0) {
                    plans.recordValue(Math.max(0, outbox.firstGangBindAt - outbox.lastInferenceDecisionAt));
                } else {
                    unplaced++;
                }
            }
        }
        firstIdOfRound[rounds] = id;
        return new Result(nodes, gangSize, rounds - warmupRounds, inference.getTotalCount(), us(inference, 50), us(inference, 99),
                us(inference, 99.9), inference.getMaxValue() / 1000.0, us(plans, 50), us(plans, 99), plans.getMaxValue() / 1000.0,
                unplaced, agent.errors() == 0 ? "" : agent.lastError());
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    private static void offer(IntakeQueue intake, SchedulerAgent agent, SchedulerEvent event) {
        while (!intake.offer(event)) {
            agent.doWork(); // the queue is full: let the agent drain it, as a producer's back-off would
        }
    }

    private static void runUntilIdle(SchedulerAgent agent, IntakeQueue intake, Recorder outbox) {
        while (true) {
            int work = agent.doWork();
            for (int i = 0; i < outbox.toConfirm.size(); i++) {
                offer(intake, agent, new SchedulerEvent.BindSucceeded(outbox.toConfirm.getLong(i)));
            }
            boolean confirmed = !outbox.toConfirm.isEmpty();
            outbox.toConfirm.clear();
            if (work == 0 && !confirmed && intake.size() == 0) {
                return;
            }
        }
    }

    /** Stamps decisions of the round's replicas and its gang; queues bind confirmations. */
    private static final class Recorder implements Outbox {
        final LongArrayList toConfirm = new LongArrayList();
        long[] offeredAt = new long[0];
        long[] decidedAt = new long[0];
        long firstReplicaId;
        long lastInferenceDecisionAt;
        long firstGangBindAt;

        void startRound(long firstReplica, int replicas) {
            if (offeredAt.length < replicas) {
                offeredAt = new long[replicas];
                decidedAt = new long[replicas];
            }
            java.util.Arrays.fill(decidedAt, 0);
            firstReplicaId = firstReplica;
            lastInferenceDecisionAt = 0;
            firstGangBindAt = 0;
        }

        private void decided(PodSpec pod) {
            long now = System.nanoTime();
            if (pod.workloadClass() == WorkloadClass.INFERENCE) {
                int k = (int) (pod.id() - firstReplicaId);
                if (k >= 0 && k < decidedAt.length && decidedAt[k] == 0) {
                    decidedAt[k] = now;
                    lastInferenceDecisionAt = Math.max(lastInferenceDecisionAt, now);
                }
            } else if (firstGangBindAt == 0) {
                firstGangBindAt = now;
            }
        }

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            decided(pod);
            toConfirm.addLong(pod.id());
        }

        @Override
        public void evict(PodSpec pod, String preemptor, String reason) {
        }

        @Override
        public void unschedulable(PodSpec pod, String message) {
            if (pod.workloadClass() == WorkloadClass.INFERENCE) {
                decided(pod);
            }
        }

        @Override
        public boolean wantsReasons() {
            return false;
        }

        @Override
        public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
        }
    }
}
