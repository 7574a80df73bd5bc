package io.gantry.benchmarks;

import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import org.jctools.queues.MessagePassingQueue;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.AbstractCollection;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Events through the intake: 1 or 2 producers offering preallocated {@code BindSucceeded} events, one
 * consumer draining in batches, for the {@link IntakeQueue} (JCTools MPSC) against
 * {@link ArrayBlockingQueue} (one lock, {@code drainTo}) and {@link ConcurrentLinkedQueue} (lock-free,
 * unbounded: producers stop offering once {@value #CAPACITY} events are outstanding, so memory stays
 * bounded like the others').
 *
 * <p><b>Read the {@code events} counter</b> (events drained per second), not the group's primary score,
 * which adds offer calls and drain calls. A full queue counts an {@code offerFailed} and the producer
 * tries again. With 2 producers and 1 consumer, 3 threads share this machine's cores: the numbers
 * include the OS scheduler's time slicing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IntakeBenchmark {
    static final int CAPACITY = 32 * 1024;
    static final int DRAIN_LIMIT = 1024;
    private static final SchedulerEvent[] EVENTS = new SchedulerEvent[1024];

    static {
        for (int i = 0; i < EVENTS.length; i++) {
            EVENTS[i] = new SchedulerEvent.BindSucceeded(i);
        }
    }

    @State(Scope.Group)
    public static class Mpsc {
        final IntakeQueue queue = new IntakeQueue(CAPACITY);
    }

    @State(Scope.Group)
    public static class Abq {
        final ArrayBlockingQueue<SchedulerEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
    }

    @State(Scope.Group)
    public static class Clq {
        final ConcurrentLinkedQueue<SchedulerEvent> queue = new ConcurrentLinkedQueue<>();
        /** Events the consumer has taken, published once per batch. */
        volatile long consumed;
    }

    /** Per producer thread: offers that went in, offers refused because the queue was full. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Producer {
        public long offered;
        public long offerFailed;
        int next;

        SchedulerEvent nextEvent() {
            SchedulerEvent e = EVENTS[next];
            next = (next + 1) & (EVENTS.length - 1);
            return e;
        }
    }

    /** The consumer: events drained (the result to read). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Consumer {
        public long events;
        long lastSeen;
        MessagePassingQueue.Consumer<SchedulerEvent> handler;
        CountingSink sink;

        @Setup
        public void setUp() {
            handler = e -> lastSeen++;
            sink = new CountingSink();
        }
    }

    /** A collection that only counts what {@code drainTo} adds to it. */
    static final class CountingSink extends AbstractCollection<SchedulerEvent> {
        long seen;

        @Override
        public boolean add(SchedulerEvent e) {
            seen++;
            return true;
        }

        @Override
        public Iterator<SchedulerEvent> iterator() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int size() {
            return 0;
        }
    }

    // ------------------------------------------------------------------ IntakeQueue (JCTools MPSC)

    @Benchmark
    @Group("mpsc1")
    @GroupThreads(1)
    public boolean mpsc1Offer(Mpsc q, Producer p) {
        return offer(q.queue, p);
    }

    @Benchmark
    @Group("mpsc1")
    @GroupThreads(1)
    public int mpsc1Drain(Mpsc q, Consumer c) {
        return drain(q.queue, c);
    }

    @Benchmark
    @Group("mpsc2")
    @GroupThreads(2)
    public boolean mpsc2Offer(Mpsc q, Producer p) {
        return offer(q.queue, p);
    }

    @Benchmark
    @Group("mpsc2")
    @GroupThreads(1)
    public int mpsc2Drain(Mpsc q, Consumer c) {
        return drain(q.queue, c);
    }

    private static boolean offer(IntakeQueue queue, Producer p) {
        boolean ok = queue.offer(p.nextEvent());
        count(p, ok);
        return ok;
    }

    private static int drain(IntakeQueue queue, Consumer c) {
        int n = queue.drain(c.handler, DRAIN_LIMIT);
        c.events += n;
        return n;
    }

    // ------------------------------------------------------------------ ArrayBlockingQueue

    @Benchmark
    @Group("abq1Baseline")
    @GroupThreads(1)
    public boolean abq1Offer(Abq q, Producer p) {
        return offer(q.queue, p);
    }

    @Benchmark
    @Group("abq1Baseline")
    @GroupThreads(1)
    public int abq1Drain(Abq q, Consumer c) {
        return drain(q.queue, c);
    }

    @Benchmark
    @Group("abq2Baseline")
    @GroupThreads(2)
    public boolean abq2Offer(Abq q, Producer p) {
        return offer(q.queue, p);
    }

    @Benchmark
    @Group("abq2Baseline")
    @GroupThreads(1)
    public int abq2Drain(Abq q, Consumer c) {
        return drain(q.queue, c);
    }

    private static boolean offer(ArrayBlockingQueue<SchedulerEvent> queue, Producer p) {
        boolean ok = queue.offer(p.nextEvent());
        count(p, ok);
        return ok;
    }

    private static int drain(ArrayBlockingQueue<SchedulerEvent> queue, Consumer c) {
        int n = queue.drainTo(c.sink, DRAIN_LIMIT);
        c.events += n;
        return n;
    }

    // ------------------------------------------------------------------ ConcurrentLinkedQueue

    @Benchmark
    @Group("clq1Baseline")
    @GroupThreads(1)
    public boolean clq1Offer(Clq q, Producer p) {
        return offer(q, p, 1);
    }

    @Benchmark
    @Group("clq1Baseline")
    @GroupThreads(1)
    public int clq1Drain(Clq q, Consumer c) {
        return drain(q, c);
    }

    @Benchmark
    @Group("clq2Baseline")
    @GroupThreads(2)
    public boolean clq2Offer(Clq q, Producer p) {
        return offer(q, p, 2);
    }

    @Benchmark
    @Group("clq2Baseline")
    @GroupThreads(1)
    public int clq2Drain(Clq q, Consumer c) {
        return drain(q, c);
    }

    /** Bounded by the consumer's published count, assuming producers offer at about the same rate. */
    private static boolean offer(Clq q, Producer p, int producers) {
        boolean ok = p.offered * producers - q.consumed < CAPACITY && q.queue.offer(p.nextEvent());
        count(p, ok);
        return ok;
    }

    private static int drain(Clq q, Consumer c) {
        int n = 0;
        SchedulerEvent e;
        while (n < DRAIN_LIMIT && (e = q.queue.poll()) != null) {
            c.lastSeen++;
            n++;
        }
        c.events += n;
        q.consumed = c.events;
        return n;
    }

    private static void count(Producer p, boolean ok) {
        if (ok) {
            p.offered++;
        } else {
            p.offerFailed++;
        }
    }
}
