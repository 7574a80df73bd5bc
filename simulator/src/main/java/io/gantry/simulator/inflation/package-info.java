/**
 * The FGD paper's inflation protocol: fill an empty cluster with pods sampled from a trace until the
 * arrived GPU demand reaches a multiple of capacity, one pod at a time, never deleting, and record
 * allocation and fragmentation against arrived demand, over several seeds and policies.
 *
 * <p>The protocol (arrival sequence, fixed random node rank for ties, bucket-mean metric) follows
 * {@code shared/design/FGD-REPRODUCTION.md}. Each run drives the core's {@link io.gantry.core.placement.PodPlacer}
 * and {@link io.gantry.core.state.ClusterState}: the same code the scheduler runs. The event loop
 * allocates nothing per pod: requests are prepared and result arrays sized before it starts.
 */
package io.gantry.simulator.inflation;
