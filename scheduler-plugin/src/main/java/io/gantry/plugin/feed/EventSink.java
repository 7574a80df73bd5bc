package io.gantry.plugin.feed;

import io.gantry.core.intake.SchedulerEvent;

/** Where the feed's events go: the current leader's intake queue. Blocks (backpressure) rather than drop. */
@FunctionalInterface
public interface EventSink {
    void send(SchedulerEvent event);
}
