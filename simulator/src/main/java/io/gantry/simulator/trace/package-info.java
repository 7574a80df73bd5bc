/**
 * Workloads for the simulator: reading trace files and generating synthetic ones.
 *
 * <p>Owns the trace vocabulary ({@link io.gantry.simulator.trace.TraceNode},
 * {@link io.gantry.simulator.trace.TracePod}), the readers of the Alibaba openb CSV files
 * ({@link io.gantry.simulator.trace.OpenbNodeReader}, {@link io.gantry.simulator.trace.OpenbPodReader})
 * and the seeded {@link io.gantry.simulator.trace.SyntheticWorkload} generator, and the reader of the
 * DLRM inference trace ({@link io.gantry.simulator.trace.DlrmTraceReader},
 * {@link io.gantry.simulator.trace.DlrmInstance}; its times are decimal seconds, kept as milliseconds). Depends on nothing but
 * the JDK; turning these records into scheduler objects is the simulator's job, not this package's.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Every {@code TraceNode} and {@code TracePod} validates itself when built, so a value that exists
 *       obeys the openb semantics: {@code gpu_milli} is the share of one GPU (1..1000) when
 *       {@code num_gpu == 1}, exactly 1000 for whole GPUs, 0 for CPU-only pods; times are seconds or -1
 *       when unknown, and a pod is never deleted before it is created.</li>
 *   <li>Readers locate columns by header name, fail on the first malformed line unless asked to skip,
 *       and every failure names the file, the 1-based line (the header is line 1) and the column.</li>
 *   <li>Names are unique within one file; a duplicate is an error that names both lines.</li>
 *   <li>The same {@code SyntheticWorkload.Config} always yields the same nodes and pods, on any JDK.</li>
 *   <li>Everything returned is immutable.</li>
 * </ul>
 */
package io.gantry.simulator.trace;
