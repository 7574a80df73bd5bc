/**
 * How decisions leave the scheduler agent: bind a pod, evict a pod, report a pod's or gang's status.
 *
 * <p>The agent calls the {@link io.gantry.core.outbox.Outbox} on its own thread and must never block on
 * it: implementations hand work to other threads (the plugin's binders) or record it (the simulator,
 * tests). Results come back as intake events.
 */
package io.gantry.core.outbox;
