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
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Inference decision latency while big gangs are planned, in wall time, the way the scheduler runs:
 * the agent on its own thread in an Agrona {@link AgentRunner} with the production idle strategy, and
 * a producer thread playing the informers. On a cluster of {@code nodes} 8-GPU nodes, each round of
 * {@code roundMicros} sends a gang of {@code gangSize} one-GPU training workers at the round's start
 * and {@code inferencePerRound} inference replicas (a service with a per-node cap of 2, at a higher
 * priority) at random instants within the round, so replicas arrive before, while and after the gang's
 * events are applied and its plan runs. Gangs and replicas leave after {@code keepRounds} rounds, so
 * the cluster stays about half full. Binds are confirmed from the outbox, as the binder would.
 *
 * <p>Measured: from the instant a replica is offered to the intake queue to its bind decision (both
 * {@link System#nanoTime()}, on the two threads), and for each gang from its last member's offer to
 * its first bind. Rounds before {@code warmupRounds} are not recorded (JIT). The latency of a replica
 * is bounded by the agent's duty cycle: it waits for the events ahead of it and for the work the agent
 * is doing when it arrives; a gang's plan counts its members against the cycle's decision budget, so a
 * replica never waits behind more than the plan under way.
 */
public final class GangLatencyExperiment {
    private static final int INFERENCE_PRIORITY = 100;
    private static final long NOT_YET = 0;
    private static final long SPIN_NANOS = 100_000;

    /** Latencies in microseconds. */
    public record Result(int nodes, int gangSize, int rounds, long inferenceDecisions, double p50Us, double p99Us, double p999Us,
                         double maxUs, double gangPlanP50Us, double gangPlanP99Us, double gangPlanMaxUs, long unplacedGangs,
                         long lateRounds, String agentError) {
    }

    private final int nodes;
    private final int gangSize;
    private final int inferencePerRound;
    private final int rounds;
    private final int warmupRounds;
    private final long roundNanos;
    private final int keepRounds;

    public GangLatencyExperiment(int nodes, int gangSize, int inferencePerRound, int rounds, int warmupRounds, long roundMicros) {
        if (nodes < 1 || gangSize < 1 || inferencePerRound < 1 || rounds <= warmupRounds || roundMicros < 1) {
            throw new IllegalArgumentException("latency experiment: nodes, gang size, replicas per round and the round length must be"
                    + " at least 1, and rounds (" + rounds + ") more than warm-up rounds (" + warmupRounds + ")");
        }
        this.nodes = nodes;
        this.gangSize = gangSize;
        this.inferencePerRound = inferencePerRound;
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        this.roundNanos = TimeUnit.MICROSECONDS.toNanos(roundMicros);
        this.keepRounds = Math.max(1, nodes * 8 / 2 / (gangSize + inferencePerRound));
    }

    public Result run(SchedulerConfig scheduler) throws InterruptedException {
        int podsPerRound = gangSize + inferencePerRound;
        long totalPods = (long) rounds * podsPerRound;
        IntakeQueue intake = new IntakeQueue(1 << 16);
        Recorder outbox = new Recorder(intake, totalPods);
        SchedulerAgent agent = new SchedulerAgent(scheduler.withPreemption(false), intake, outbox, new SystemNanoClock());
        AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(100)), e -> { }, null, agent);
        AgentRunner.startOnThread(runner);
        long lateRounds = 0;
        try {
            for (int n = 0; n < nodes; n++) {
                offer(intake, new SchedulerEvent.NodeAdded(new NodeSpec("node-" + n, 96_000, 1024L << 30, 8, "H100", 0, Map.of(),
                        new Topology("zone-" + n % 4, "rack-" + n % 64, ""), true, List.of())));
            }
            awaitDrained(intake);
            Random random = new Random(scheduler.seed());
            long[] offsets = new long[inferencePerRound];
            long roundStart = System.nanoTime();
            for (int round = 0; round < rounds; round++) {
                long first = (long) round * podsPerRound;
                if (round >= keepRounds) {
                    long gone = (long) (round - keepRounds) * podsPerRound;
                    for (long id = gone; id < gone + podsPerRound; id++) {
                        offer(intake, new SchedulerEvent.PodRemoved(id, true));
                    }
                    offer(intake, new SchedulerEvent.GangRemoved("gang-" + (round - keepRounds)));
                }
                String gang = "gang-" + round;
                offer(intake, new SchedulerEvent.GangUpdated(new GangSpec(gang, gangSize, 0, TopologyLevel.NONE, false)));
                for (int m = 0; m < gangSize; m++) {
                    offer(intake, new SchedulerEvent.PodAdded(new PodSpec(first + m, gang + "-" + m, ResourceRequest.wholeGpus(4000, 32L << 30, 1),
                            0, PodSpec.DEFAULT_QUEUE, WorkloadClass.TRAINING, Set.of(), Map.of(), List.of(), gang)));
                }
                outbox.gangOfferedAt.set(round, System.nanoTime());
                for (int k = 0; k < inferencePerRound; k++) {
                    offsets[k] = (long) (random.nextDouble() * roundNanos);
                }
                java.util.Arrays.sort(offsets);
                for (int k = 0; k < inferencePerRound; k++) {
                    long id = first + gangSize + k;
                    PodSpec replica = new PodSpec(id, "serve-" + id, ResourceRequest.wholeGpus(8000, 64L << 30, 1), INFERENCE_PRIORITY,
                            PodSpec.DEFAULT_QUEUE, WorkloadClass.INFERENCE, Set.of(), Map.of(), List.of(), "",
                            ServiceConstraints.capped("svc-" + round % 32, 2));
                    SchedulerEvent event = new SchedulerEvent.PodAdded(replica);
                    waitUntil(roundStart + offsets[k]);
                    outbox.offeredAt.set(round * inferencePerRound + k, System.nanoTime());
                    offer(intake, event);
                }
                roundStart += roundNanos;
                if (System.nanoTime() > roundStart) {
                    lateRounds++; // the producer could not keep the pace: the next round starts late
                    roundStart = System.nanoTime();
                }
                waitUntil(roundStart);
            }
            awaitDrained(intake);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (outbox.decided.get() < (long) rounds * inferencePerRound && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        } finally {
            runner.close();
        }
        Histogram inference = new Histogram(60_000_000_000L, 3);
        Histogram plans = new Histogram(60_000_000_000L, 3);
        long unplaced = 0;
        for (int round = warmupRounds; round < rounds; round++) {
            for (int k = 0; k < inferencePerRound; k++) {
                int slot = round * inferencePerRound + k;
                long decided = outbox.decidedAt.get(slot);
                if (decided != NOT_YET) {
                    inference.recordValue(Math.max(0, decided - outbox.offeredAt.get(slot)));
                }
            }
            long firstBind = outbox.gangBoundAt.get(round);
            if (firstBind != NOT_YET) {
                plans.recordValue(Math.max(0, firstBind - outbox.gangOfferedAt.get(round)));
            } else {
                unplaced++;
            }
        }
        return new Result(nodes, gangSize, rounds - warmupRounds, inference.getTotalCount(), us(inference, 50), us(inference, 99),
                us(inference, 99.9), inference.getMaxValue() / 1000.0, us(plans, 50), us(plans, 99), plans.getMaxValue() / 1000.0,
                unplaced, lateRounds, agent.errors() == 0 ? "" : agent.lastError());
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Parks until shortly before {@code deadline}, then spins: parking alone would oversleep by tens of
     * microseconds, and spinning all the time would take one of the machine's cores from the agent, the
     * garbage collector and the compiler, so their threads would queue for the CPU and the measured
     * latency would be the operating system's time slice, not the scheduler's.
     */
    private static void waitUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > SPIN_NANOS) {
            java.util.concurrent.locks.LockSupport.parkNanos(left - SPIN_NANOS);
        }
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static void offer(IntakeQueue intake, SchedulerEvent event) {
        while (!intake.offer(event)) {
            Thread.onSpinWait();
        }
    }

    private static void awaitDrained(IntakeQueue intake) throws InterruptedException {
        while (intake.size() > 0) {
            Thread.sleep(1);
        }
        Thread.sleep(50);
    }

    /**
     * On the agent's thread: stamps the decisions of replicas and the first bind of each gang, and
     * confirms binds through the intake as the binder would (kept for the next call when the queue is full).
     */
    private final class Recorder implements Outbox {
        final AtomicLongArray offeredAt;
        final AtomicLongArray decidedAt;
        final AtomicLongArray gangOfferedAt = new AtomicLongArray(rounds);
        final AtomicLongArray gangBoundAt = new AtomicLongArray(rounds);
        final AtomicLong decided = new AtomicLong();
        private final IntakeQueue intake;
        private final LongArrayList unconfirmed = new LongArrayList();

        Recorder(IntakeQueue intake, long totalPods) {
            this.intake = intake;
            int replicas = (int) (totalPods / (gangSize + inferencePerRound) * inferencePerRound);
            this.offeredAt = new AtomicLongArray(replicas);
            this.decidedAt = new AtomicLongArray(replicas);
        }

        private void decided(PodSpec pod) {
            long now = System.nanoTime();
            int round = (int) (pod.id() / (gangSize + inferencePerRound));
            int inRound = (int) (pod.id() % (gangSize + inferencePerRound));
            if (inRound >= gangSize) {
                if (decidedAt.compareAndSet(round * inferencePerRound + inRound - gangSize, NOT_YET, now)) {
                    decided.incrementAndGet();
                }
            } else {
                gangBoundAt.compareAndSet(round, NOT_YET, now);
            }
        }

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            decided(pod);
            unconfirmed.addLong(pod.id());
            while (!unconfirmed.isEmpty() && intake.offer(new SchedulerEvent.BindSucceeded(unconfirmed.getLong(unconfirmed.size() - 1)))) {
                unconfirmed.removeAt(unconfirmed.size() - 1);
            }
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
