/**
 * A workload to simulate: a cluster's nodes and the pods that arrive on it, from a trace or from the
 * synthetic generator, and its translation into the scheduler core's model.
 *
 * <p>Cold path: runs once before a simulation. Depends on the trace package and the core model; the
 * translation is the only place that knows the openb conventions (a 1-GPU pod with gpu_milli below
 * 1000 is a share, memory in MiB).
 */
package io.gantry.simulator.workload;
