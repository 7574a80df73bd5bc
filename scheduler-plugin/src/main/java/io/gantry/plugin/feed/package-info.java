/**
 * Informer callbacks into core events. Owns which pods the current leader's agent has been told
 * about (pending, bound, gone), the pod identity map (Kubernetes UID to the core's long id), bound pods
 * waiting for their node, and PodGroups that failed translation. Replays the informer caches into a
 * fresh agent when this replica becomes leader.
 */
package io.gantry.plugin.feed;
