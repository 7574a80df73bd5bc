/**
 * Placing one pod: the filter, score, choose phases around a {@link io.gantry.core.policy.PlacementPolicy},
 * and the decision value that says where, or why not.
 *
 * <p>A {@link io.gantry.core.placement.PodPlacer} only decides; the caller assumes the placement in
 * {@link io.gantry.core.state.ClusterState} (or discards it, when planning a gang). Deciding allocates
 * nothing: scratch arrays and the {@link io.gantry.core.placement.PlacementResult} are reused, and the
 * human-readable explanation is built only when asked for.
 */
package io.gantry.core.placement;
