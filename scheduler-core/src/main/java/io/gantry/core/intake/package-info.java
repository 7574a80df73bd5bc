/**
 * How the rest of the world talks to the scheduler agent: the event types and the bounded
 * many-producer, single-consumer intake queue.
 *
 * <p>Producers (informer threads, binder threads, timers) only {@linkplain io.gantry.core.intake.IntakeQueue#offer offer}
 * events; exactly one consumer, the agent, drains them. When the queue is full a producer is pushed
 * back (it waits, or is told to retry), and an event is never dropped: memory stays bounded by the
 * queue's capacity and nothing is lost. Depends on {@code model} and JCTools only.
 */
package io.gantry.core.intake;
