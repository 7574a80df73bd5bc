/**
 * The scheduler process: informers, leader election, and one leader session (agent thread, binder,
 * evictor) per term as leader.
 */
package io.gantry.plugin.run;
