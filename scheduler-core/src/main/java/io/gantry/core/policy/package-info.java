/**
 * Placement policies: given a pod and the nodes it fits, which node and which GPUs on it.
 *
 * <p>One interface, {@link io.gantry.core.policy.PlacementPolicy}, one file per policy, all held to
 * one shared contract test. A policy only scores and picks; feasibility is decided before it is
 * asked, and the state change (assume) happens after, by the caller. Policies are built by
 * {@link io.gantry.core.policy.Policies} from a {@link io.gantry.core.policy.PolicyContext}; nothing is
 * registered globally.
 *
 * <p>Hot path: {@code score} runs for every feasible node of every decision, so it reads primitives
 * from {@link io.gantry.core.state.ClusterState} and allocates nothing. Depends on {@code model} and
 * {@code state} only.
 */
package io.gantry.core.policy;
