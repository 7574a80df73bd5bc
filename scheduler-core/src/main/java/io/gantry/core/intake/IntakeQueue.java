package io.gantry.core.intake;

import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;

import java.util.concurrent.TimeUnit;

/**
 * The bounded many-producer, single-consumer queue into the scheduler agent (JCTools
 * {@link MpscArrayQueue}: lock-free offers, wait-free drain).
 *
 * <p><b>When it is full</b> nothing is dropped: {@link #offer} returns false and the producer decides;
 * {@link #put} applies backpressure by idling the producer (with its own {@link IdleStrategy}) until
 * the agent has drained room, or until the deadline passes, when it returns false and the caller keeps
 * the event. Informer threads use {@code put}, so a burst of watch events slows the informers down
 * instead of growing memory without bound.
 */
public final class IntakeQueue {
    private final MpscArrayQueue<SchedulerEvent> queue;

    public IntakeQueue(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("intake capacity must be at least 2, got " + capacity);
        }
        this.queue = new MpscArrayQueue<>(capacity);
    }

    /** Offers without waiting; false when the queue is full (the event was not taken). */
    public boolean offer(SchedulerEvent event) {
        return queue.offer(event);
    }

    /**
     * Offers, idling while the queue is full, for at most {@code timeout}. Returns false, with the event
     * not taken, when the deadline passes or the thread is interrupted.
     */
    public boolean put(SchedulerEvent event, IdleStrategy idle, long timeout, TimeUnit unit) {
        if (queue.offer(event)) {
            return true; // the common case reads no clock: System.nanoTime costs as much as the offer
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        idle.reset();
        while (!queue.offer(event)) {
            if (Thread.currentThread().isInterrupted() || System.nanoTime() - deadline > 0) {
                return false;
            }
            idle.idle();
        }
        return true;
    }

    /** Drains at most {@code limit} events into {@code handler}; only the agent thread calls this. */
    public int drain(MessagePassingQueue.Consumer<SchedulerEvent> handler, int limit) {
        return queue.drain(handler, limit);
    }

    public int size() {
        return queue.size();
    }

    public int capacity() {
        return queue.capacity();
    }
}
