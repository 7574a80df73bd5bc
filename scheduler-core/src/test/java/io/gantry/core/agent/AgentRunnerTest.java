package io.gantry.core.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.outbox.Outbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

/**
 * The agent on its own thread, as in production: an Agrona {@link AgentRunner} runs its duty cycle,
 * informer threads {@code put} nodes and pods into a small intake queue (so they are pushed back), a
 * binder thread confirms the binds the thread-safe outbox collects. Every pod must be bound exactly
 * once and no GPU over-committed.
 */
class AgentRunnerTest {
    private static final int NODES = 64;
    private static final int GPUS_PER_NODE = 8;
    private static final int POD_PRODUCERS = 3;
    private static final int PODS_PER_PRODUCER = 40;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    record Bind(PodSpec pod, String node, int gpuMask) {
    }

    /** Collects binds from the agent thread; never blocks. */
    static final class ConcurrentOutbox implements Outbox {
        final ConcurrentLinkedQueue<Bind> binds = new ConcurrentLinkedQueue<>();
        /** Binds not yet confirmed, for the binder thread. */
        final ConcurrentLinkedQueue<Bind> toConfirm = new ConcurrentLinkedQueue<>();
        final AtomicInteger bindCount = new AtomicInteger();
        final AtomicInteger evictions = new AtomicInteger();

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            Bind b = new Bind(pod, nodeName, gpuMask);
            binds.add(b);
            toConfirm.add(b);
            bindCount.incrementAndGet();
        }

        @Override
        public void evict(PodSpec pod, String preemptor, String reason) {
            evictions.incrementAndGet();
        }

        @Override
        public void unschedulable(PodSpec pod, String message) {
        }

        @Override
        public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
        }
    }

    @Test
    void agentOnABackoffRunnerWithTheSystemClockBindsEveryPodOnce() throws InterruptedException {
        runCluster(new BackoffIdleStrategy(), SystemNanoClock.INSTANCE, null);
    }

    @Test
    void agentOnASleepingRunnerWithACachedClockBindsEveryPodOnce() throws InterruptedException {
        CachedNanoClock clock = new CachedNanoClock();
        clock.update(System.nanoTime());
        runCluster(new SleepingMillisIdleStrategy(1), clock, clock);
    }

    private static ResourceRequest shapeOf(int i) {
        return switch (i % 4) {
            case 0 -> ResourceRequest.wholeGpus(1000, 1L << 30, 1);
            case 1 -> ResourceRequest.wholeGpus(1000, 1L << 30, 2);
            case 2 -> ResourceRequest.wholeGpus(1000, 1L << 30, 4);
            default -> ResourceRequest.gpuShare(500, 1L << 29, 300);
        };
    }

    /**
     * Demand is about 220 of 512 GPUs: whatever the arrival order and placement, every pod fits (a
     * 4-GPU pod is stuck only when every node has 5 GPUs in use, which needs 320).
     */
    private static void runCluster(IdleStrategy agentIdle, NanoClock clock, CachedNanoClock tick) throws InterruptedException {
        IntakeQueue intake = new IntakeQueue(32);
        ConcurrentOutbox outbox = new ConcurrentOutbox();
        SchedulerAgent agent = new SchedulerAgent(SchedulerConfig.defaults().withCycleLimits(16, 16), intake, outbox, clock);
        List<Throwable> agentErrors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AgentRunner runner = new AgentRunner(agentIdle, agentErrors::add, null, agent);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);

        Map<Long, PodSpec> podsById = new HashMap<>();
        List<List<PodSpec>> podsByProducer = new ArrayList<>();
        long id = 1;
        for (int p = 0; p < POD_PRODUCERS; p++) {
            List<PodSpec> pods = new ArrayList<>();
            for (int i = 0; i < PODS_PER_PRODUCER; i++) {
                PodSpec pod = PodSpec.of(id, "p" + p + "-" + i, shapeOf(i + p), Set.of());
                pods.add(pod);
                podsById.put(id, pod);
                id++;
            }
            podsByProducer.add(pods);
        }
        int totalPods = POD_PRODUCERS * PODS_PER_PRODUCER;

        List<Thread> producers = new ArrayList<>();
        producers.add(new Thread(() -> produce(intake, start, failure, nodeEvents()), "node-informer"));
        for (int p = 0; p < POD_PRODUCERS; p++) {
            List<SchedulerEvent> events = new ArrayList<>();
            for (PodSpec pod : podsByProducer.get(p)) {
                events.add(new SchedulerEvent.PodAdded(pod));
            }
            producers.add(new Thread(() -> produce(intake, start, failure, events), "pod-informer-" + p));
        }
        AtomicInteger confirmed = new AtomicInteger();
        Thread binder = new Thread(() -> {
            try {
                start.await();
                IdleStrategy idle = new BackoffIdleStrategy();
                long deadline = System.nanoTime() + TIMEOUT_NANOS;
                while (confirmed.get() < totalPods && System.nanoTime() - deadline < 0 && failure.get() == null) {
                    Bind b = outbox.toConfirm.poll();
                    if (b == null) {
                        idle.idle(0);
                        continue;
                    }
                    idle.reset();
                    if (!intake.put(new SchedulerEvent.BindSucceeded(b.pod().id()), idle, 10, TimeUnit.SECONDS)) {
                        throw new AssertionError("binder could not put a confirmation for " + b.pod().name());
                    }
                    confirmed.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "binder");

        AgentRunner.startOnThread(runner);
        try {
            producers.forEach(Thread::start);
            binder.start();
            start.countDown();

            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while ((outbox.bindCount.get() < totalPods || confirmed.get() < totalPods || intake.size() > 0)
                    && failure.get() == null && agentErrors.isEmpty() && System.nanoTime() - deadline < 0) {
                if (tick != null) {
                    tick.update(System.nanoTime());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // polling pace only; the loop condition decides
            }
            for (Thread t : producers) {
                t.join(TimeUnit.SECONDS.toMillis(10));
            }
            binder.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            runner.close();
        }

        assertThat(runner.isClosed()).isTrue();
        assertThat(failure.get()).as("failure on a producer or the binder").isNull();
        assertThat(agentErrors).as("errors thrown out of the duty cycle").isEmpty();
        if (outbox.bindCount.get() < totalPods) {
            fail("only " + outbox.bindCount.get() + " of " + totalPods + " pods bound within 30 s; pending "
                    + agent.pendingPods() + ", last error: " + agent.lastError());
        }
        assertThat(producers).noneMatch(Thread::isAlive);
        assertThat(binder.isAlive()).isFalse();

        // after close (which joins the agent thread) the state may be read here
        assertThat(agent.errors()).as("events that failed to apply: %s", agent.lastError()).isZero();
        agent.verify();
        assertThat(agent.pendingPods()).isZero();
        assertThat(outbox.evictions.get()).isZero();

        Map<Long, Integer> bindsPerPod = new HashMap<>();
        Map<String, int[]> milliPerGpu = new HashMap<>();
        Map<String, boolean[]> wholeGpu = new HashMap<>();
        for (Bind b : outbox.binds) {
            bindsPerPod.merge(b.pod().id(), 1, Integer::sum);
            ResourceRequest r = b.pod().request();
            assertThat(Integer.bitCount(b.gpuMask())).as("GPUs in the mask of %s", b.pod().name()).isEqualTo(r.gpusTouched());
            assertThat(32 - Integer.numberOfLeadingZeros(b.gpuMask())).as("highest GPU of %s", b.pod().name())
                    .isLessThanOrEqualTo(GPUS_PER_NODE);
            int[] used = milliPerGpu.computeIfAbsent(b.node(), n -> new int[GPUS_PER_NODE]);
            boolean[] whole = wholeGpu.computeIfAbsent(b.node(), n -> new boolean[GPUS_PER_NODE]);
            for (int g = 0; g < GPUS_PER_NODE; g++) {
                if ((b.gpuMask() & (1 << g)) != 0) {
                    if (whole[g] || (r.gpus() > 0 && used[g] > 0)) {
                        fail("GPU " + g + " of " + b.node() + " is held whole and shared (" + b.pod().name() + ")");
                    }
                    whole[g] |= r.gpus() > 0;
                    used[g] += r.milliPerTouchedGpu();
                    assertThat(used[g]).as("milli on GPU %d of %s", g, b.node()).isLessThanOrEqualTo(1000);
                }
            }
        }
        assertThat(bindsPerPod.keySet()).isEqualTo(podsById.keySet());
        assertThat(bindsPerPod).allSatisfy((pod, n) -> assertThat(n).as("binds of pod %d", pod).isEqualTo(1));
        int wholeTaken = 0;
        for (boolean[] whole : wholeGpu.values()) {
            for (boolean w : whole) {
                wholeTaken += w ? 1 : 0;
            }
        }
        int wholeAsked = 0;
        for (PodSpec pod : podsById.values()) {
            wholeAsked += pod.request().gpus();
        }
        assertThat(wholeTaken).as("whole GPUs held").isEqualTo(wholeAsked);
    }

    private static List<SchedulerEvent> nodeEvents() {
        List<SchedulerEvent> events = new ArrayList<>();
        for (int n = 0; n < NODES; n++) {
            events.add(new SchedulerEvent.NodeAdded(NodeSpec.of("node-" + n, 64_000, 512L << 30, GPUS_PER_NODE, "A100")));
        }
        return events;
    }

    private static void produce(IntakeQueue intake, CountDownLatch start, AtomicReference<Throwable> failure, List<SchedulerEvent> events) {
        try {
            start.await();
            IdleStrategy idle = new BackoffIdleStrategy();
            for (SchedulerEvent e : events) {
                if (!intake.put(e, idle, 10, TimeUnit.SECONDS)) {
                    throw new AssertionError("intake did not take " + e + " within 10 s");
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
