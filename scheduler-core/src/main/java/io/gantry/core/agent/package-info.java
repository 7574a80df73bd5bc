/**
 * The scheduler agent: the one thread that owns all scheduling state. It drains the intake queue,
 * applies each event to the cluster state, the queues and the gangs, runs scheduling cycles (pods,
 * whole gangs, reservations against starvation, preemption), and sends its decisions out through the
 * {@link io.gantry.core.outbox.Outbox}.
 *
 * <p>An Agrona {@link org.agrona.concurrent.Agent}: production runs it in an
 * {@link org.agrona.concurrent.AgentRunner}, the simulator and tests call {@code doWork()} by hand with a
 * virtual clock. Time and randomness are injected; the same events give the same decisions.
 *
 * <p>Waiting work is woken by what could help it: {@code ShapeWakeIndex} files the shape classes
 * parked pods and gangs wait on by the GPU bucket they need, so a node that frees room tests only the
 * classes it could hold, and offers the room to the first parked pod or room-filed gang in queue order,
 * then to the next once that one is decided, until nothing parked could use it. A gang of one member
 * shape waits on {@code ShapeRoom}, the copies of that shape the cluster holds. What the index skips
 * could not have been placed: the agent decides exactly as one that walks every parked class on every
 * change (a property test compares the two, and checks that nothing parked could be placed once the
 * agent has settled).
 */
package io.gantry.core.agent;
