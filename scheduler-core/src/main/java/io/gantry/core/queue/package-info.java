/**
 * Pending work in scheduling order: priority, then fair share between queues (guaranteed quota,
 * optional limit, borrowing of idle capacity, dominant resource share), then arrival. The unit is a
 * pod or a whole gang.
 *
 * <p>Units that cannot fit wait in an unschedulable set and come back only on an event that could
 * help them (capacity freed on a node they accept, a node added or changed, a quota change), never by
 * busy retry. Owned by the agent thread; depends on {@code model} only.
 */
package io.gantry.core.queue;
