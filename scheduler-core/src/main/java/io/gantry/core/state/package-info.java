/**
 * The cluster as the scheduler believes it to be: nodes, the free CPU, memory and per-GPU milli on
 * each, which pod holds what, and the indexes that find candidate nodes without scanning the cluster.
 * Every node change raises the node's version and is numbered in a change log, so caches kept outside
 * (the policies' score orders) catch up on the changed nodes alone.
 *
 * <p>Owned by exactly one thread (the scheduler agent, or the simulator loop). Nothing here is
 * thread-safe, on purpose: other threads talk to the owner through the intake queue.
 *
 * <p>Invariants, checked on every mutation and verifiable by {@link io.gantry.core.state.ClusterState#verify()}:
 * no GPU holds more than 1000 milli or less than 0; CPU and memory in use never exceed capacity; a
 * whole-GPU pod never shares a GPU; releasing a placement restores exactly what assuming it took; every
 * index agrees with a brute-force scan of the node table. A mutation that would break one throws
 * {@link java.lang.IllegalStateException} and changes nothing.
 *
 * <p>Depends on {@code io.gantry.core.model} and Agrona collections only.
 */
package io.gantry.core.state;
