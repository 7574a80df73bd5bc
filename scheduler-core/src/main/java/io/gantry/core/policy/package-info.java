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
 *
 * <p>Score orders: FGD, best fit and spread keep, per pod shape, every node's score by node version and
 * the nodes that could hold the shape in a heap by score, then fixed node rank
 * ({@link io.gantry.core.policy.ScoreOrdered}). They catch up from the state's node change log before
 * a decision, so a decision costs the nodes changed since, not the cluster. Invariant, checked by a
 * property test against a full scan: the first node of the order the placer accepts is the node a full
 * scan with the fixed-rank tie-break picks.
 */
package io.gantry.core.policy;
