package io.gantry.core.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

/**
 * The bounded intake: capacity, nothing lost when full, backpressure through {@code put}, and a
 * many-producer stress test (every event exactly once, each producer's order kept).
 */
class IntakeQueueTest {
    private static final long PRODUCER_STRIDE = 1_000_000_000L;

    private static SchedulerEvent event(long id) {
        return new SchedulerEvent.BindSucceeded(id);
    }

    private static List<SchedulerEvent> drainAll(IntakeQueue queue) {
        List<SchedulerEvent> out = new ArrayList<>();
        queue.drain(out::add, Integer.MAX_VALUE);
        return out;
    }

    /** Fills {@code queue} to capacity with ids 0..capacity-1 and returns what it offered. */
    private static List<SchedulerEvent> fill(IntakeQueue queue) {
        List<SchedulerEvent> offered = new ArrayList<>();
        for (long id = 0; id < queue.capacity(); id++) {
            SchedulerEvent e = event(id);
            assertThat(queue.offer(e)).as("offer %d of capacity %d", id, queue.capacity()).isTrue();
            offered.add(e);
        }
        return offered;
    }

    /** An idle strategy that signals its first idle: proof that {@code put} found the queue full and waits. */
    private static final class SignallingIdle implements IdleStrategy {
        final CountDownLatch waiting = new CountDownLatch(1);
        private final IdleStrategy delegate = new YieldingIdleStrategy();

        @Override
        public void idle(int workCount) {
            if (workCount <= 0) {
                idle();
            }
        }

        @Override
        public void idle() {
            waiting.countDown();
            delegate.idle();
        }

        @Override
        public void reset() {
            delegate.reset();
        }
    }

    @Test
    void capacityIsAtLeastWhatWasAskedRoundedToAPowerOfTwo() {
        for (int requested : new int[] {2, 3, 5, 8, 63, 64, 65, 100, 1000, 4096}) {
            IntakeQueue queue = new IntakeQueue(requested);
            assertThat(queue.capacity()).as("capacity for %d", requested).isGreaterThanOrEqualTo(requested);
            assertThat(Integer.bitCount(queue.capacity())).as("power of two for %d", requested).isEqualTo(1);
            assertThat(queue.capacity()).as("smallest power of two for %d", requested).isLessThan(2 * requested);
            assertThat(queue.size()).isZero();
        }
    }

    @Test
    void constructorRejectsCapacityBelowTwoWithAClearMessage() {
        for (int bad : new int[] {1, 0, -5}) {
            assertThatThrownBy(() -> new IntakeQueue(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("intake capacity")
                    .hasMessageContaining("at least 2")
                    .hasMessageContaining("got " + bad);
        }
    }

    @Test
    void offerReturnsFalseWhenFullAndNothingIsLostOrReordered() {
        IntakeQueue queue = new IntakeQueue(5);
        List<SchedulerEvent> offered = fill(queue);
        assertThat(queue.size()).isEqualTo(queue.capacity());

        SchedulerEvent rejected = event(-1);
        assertThat(queue.offer(rejected)).as("offer on a full queue").isFalse();
        assertThat(queue.offer(rejected)).as("still full").isFalse();
        assertThat(queue.size()).isEqualTo(queue.capacity());

        assertThat(drainAll(queue)).containsExactlyElementsOf(offered).doesNotContain(rejected);
        assertThat(queue.size()).isZero();
        // room again: the rejected event can now be offered and comes out alone
        assertThat(queue.offer(rejected)).isTrue();
        assertThat(drainAll(queue)).containsExactly(rejected);
    }

    @Test
    void drainTakesAtMostItsLimitInOrder() {
        IntakeQueue queue = new IntakeQueue(16);
        List<SchedulerEvent> offered = fill(queue);
        List<SchedulerEvent> first = new ArrayList<>();
        assertThat(queue.drain(first::add, 3)).isEqualTo(3);
        assertThat(first).containsExactlyElementsOf(offered.subList(0, 3));
        assertThat(queue.size()).isEqualTo(offered.size() - 3);
        assertThat(drainAll(queue)).containsExactlyElementsOf(offered.subList(3, offered.size()));
        assertThat(queue.drain(first::add, 10)).as("drain of an empty queue").isZero();
    }

    @Test
    void putWaitsWhileFullAndSucceedsOnceAConsumerDrains() throws InterruptedException {
        IntakeQueue queue = new IntakeQueue(4);
        List<SchedulerEvent> offered = fill(queue);
        SignallingIdle idle = new SignallingIdle();
        List<SchedulerEvent> drained = new ArrayList<>();
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                if (!idle.waiting.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("put never idled on the full queue");
                }
                // the producer is idling inside put: make room for exactly one event
                queue.drain(drained::add, 1);
            } catch (Throwable t) {
                consumerFailure.set(t);
            }
        }, "intake-test-consumer");
        consumer.start();

        SchedulerEvent extra = event(99);
        boolean taken = queue.put(extra, idle, 30, TimeUnit.SECONDS);
        consumer.join(TimeUnit.SECONDS.toMillis(30));

        assertThat(consumer.isAlive()).as("consumer finished").isFalse();
        assertThat(consumerFailure.get()).isNull();
        assertThat(idle.waiting.getCount()).as("put idled at least once while the queue was full").isZero();
        assertThat(taken).as("put succeeded once room was made").isTrue();
        assertThat(drained).containsExactly(offered.get(0));
        List<SchedulerEvent> expected = new ArrayList<>(offered.subList(1, offered.size()));
        expected.add(extra);
        assertThat(drainAll(queue)).containsExactlyElementsOf(expected);
    }

    @Test
    void putReturnsFalseAfterItsTimeoutWhenNobodyDrainsAndDoesNotTakeTheEvent() {
        IntakeQueue queue = new IntakeQueue(4);
        List<SchedulerEvent> offered = fill(queue);
        SchedulerEvent extra = event(99);
        long start = System.nanoTime();
        boolean taken = queue.put(extra, new BackoffIdleStrategy(), 50, TimeUnit.MILLISECONDS);
        long waited = System.nanoTime() - start;

        assertThat(taken).isFalse();
        assertThat(waited).as("waited for the whole timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(drainAll(queue)).containsExactlyElementsOf(offered).doesNotContain(extra);
    }

    @Test
    void putReturnsFalsePromptlyWhenInterruptedWhileFull() {
        IntakeQueue queue = new IntakeQueue(2);
        List<SchedulerEvent> offered = fill(queue);
        Thread.currentThread().interrupt();
        try {
            long start = System.nanoTime();
            assertThat(queue.put(event(99), new BackoffIdleStrategy(), 30, TimeUnit.SECONDS)).isFalse();
            assertThat(System.nanoTime() - start).as("did not wait out the timeout").isLessThan(TimeUnit.SECONDS.toNanos(10));
        } finally {
            Thread.interrupted();
        }
        assertThat(drainAll(queue)).containsExactlyElementsOf(offered);
    }

    @Test
    void putSucceedsAtOnceWhenThereIsRoom() {
        IntakeQueue queue = new IntakeQueue(4);
        SignallingIdle idle = new SignallingIdle();
        assertThat(queue.put(event(1), idle, 0, TimeUnit.SECONDS)).isTrue();
        assertThat(idle.waiting.getCount()).as("never idled").isEqualTo(1);
        assertThat(drainAll(queue)).containsExactly(event(1));
    }

    @Test
    void manyProducersPuttingIntoASmallQueueLoseNothingAndKeepEachProducersOrder() throws InterruptedException {
        int producers = 4;
        int perProducer = 50_000;
        IntakeQueue queue = new IntakeQueue(64);
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();

        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long base = p * PRODUCER_STRIDE;
            Thread producer = new Thread(() -> {
                try {
                    start.await();
                    IdleStrategy idle = new BackoffIdleStrategy();
                    for (long i = 0; i < perProducer && !stop.get(); i++) {
                        if (!queue.put(event(base + i), idle, 30, TimeUnit.SECONDS)) {
                            throw new AssertionError("put timed out at event " + (base + i));
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }, "intake-producer-" + p);
            threads.add(producer);
        }

        long[] next = new long[producers];
        BitSet[] seen = new BitSet[producers];
        for (int p = 0; p < producers; p++) {
            seen[p] = new BitSet(perProducer);
        }
        long[] received = new long[1];
        int[] maxSize = new int[1];
        Thread consumer = new Thread(() -> {
            try {
                start.await();
                IdleStrategy idle = new BackoffIdleStrategy();
                long total = (long) producers * perProducer;
                while (received[0] < total && !stop.get()) {
                    maxSize[0] = Math.max(maxSize[0], queue.size());
                    int n = queue.drain(e -> {
                        long id = ((SchedulerEvent.BindSucceeded) e).podId();
                        int p = (int) (id / PRODUCER_STRIDE);
                        long seq = id % PRODUCER_STRIDE;
                        if (seen[p].get((int) seq)) {
                            throw new AssertionError("event " + id + " received twice");
                        }
                        if (seq != next[p]) {
                            throw new AssertionError("producer " + p + ": expected event " + next[p] + ", got " + seq);
                        }
                        seen[p].set((int) seq);
                        next[p]++;
                        received[0]++;
                    }, 32);
                    idle.idle(n);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                stop.set(true);
            }
        }, "intake-consumer");
        threads.add(consumer);

        threads.forEach(Thread::start);
        start.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        boolean finished = threads.stream().noneMatch(Thread::isAlive);
        if (!finished) {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(5));
            }
            fail("stress test did not finish within 60 s; received " + received[0] + " events");
        }
        assertThat(failure.get()).as("failure on a producer or the consumer").isNull();
        assertThat(received[0]).isEqualTo((long) producers * perProducer);
        for (int p = 0; p < producers; p++) {
            assertThat(seen[p].cardinality()).as("producer %d delivered", p).isEqualTo(perProducer);
            assertThat(next[p]).isEqualTo(perProducer);
        }
        assertThat(maxSize[0]).as("the queue never held more than its capacity").isLessThanOrEqualTo(queue.capacity());
        assertThat(queue.size()).isZero();
    }
}
