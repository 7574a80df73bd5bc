/**
 * Gangs: all-or-nothing groups of pods (a distributed training job). A gang is placed only when at
 * least {@code minMember} of its pods fit at once, planned tentatively on the cluster state and
 * committed whole or rolled back whole, with topology-aware packing (fewest nodes, then one NVLink
 * domain, rack or zone).
 *
 * <p>Invariant: after a planning step ends, no gang is partly assumed. Depends on {@code state},
 * {@code placement} and {@code model}.
 */
package io.gantry.core.gang;
