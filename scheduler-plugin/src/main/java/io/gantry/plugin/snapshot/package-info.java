/**
 * What-if scheduling on a real cluster's state: read what {@code kubectl get nodes,pods,podgroups -A -o yaml}
 * prints, translate it with the scheduler's own code, schedule the pending Gantry pods with a virtual
 * clock, and say where each would go and why not.
 */
package io.gantry.plugin.snapshot;
