/**
 * Timed replay: pods arrive at their creation time and leave after their duration, on a virtual
 * clock, through the real {@link io.gantry.core.agent.SchedulerAgent} (queues, gangs, reservations,
 * preemption: the scheduler's own code). Pods that cannot be placed wait in the agent's pending queue
 * and are retried when capacity frees.
 *
 * <p>Also the mixed run ({@link io.gantry.simulator.replay.MixedReplay}: the DLRM inference trace beside
 * the openb training trace, with service caps) and the inference latency experiment
 * ({@link io.gantry.simulator.replay.GangLatencyExperiment}: replicas decided while 256-pod gangs are
 * planned), both measuring wall time with HdrHistogram.
 *
 * <p>The event loop keeps its events in a primitive heap and per-pod arrays, and talks to the agent by
 * direct calls on the one thread, so a steady-state event allocates nothing.
 */
package io.gantry.simulator.replay;
