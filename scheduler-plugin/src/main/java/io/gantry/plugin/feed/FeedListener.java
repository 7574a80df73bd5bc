package io.gantry.plugin.feed;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * What the feed tells the outside besides the agent: objects it cannot translate (they become
 * {@code FailedScheduling} events and log lines) and the pending pods it knows of (metrics).
 */
public interface FeedListener {
    /** A pod Gantry should schedule cannot be translated; it stays pending with this message. */
    void podInvalid(PodRef pod, String message);

    /** A node or PodGroup cannot be translated; it is left out until it changes. */
    void objectInvalid(HasMetadata object, String message);

    /** A pod was handed to the agent ({@code gated} false) or waits for its scheduling gates ({@code gated} true). */
    default void podPending(PodRef pod, boolean gated) {
    }

    /** A pod is no longer pending for Gantry: bound, finished or deleted. */
    default void podSettled(PodRef pod) {
    }

    FeedListener NONE = new FeedListener() {
        @Override
        public void podInvalid(PodRef pod, String message) {
        }

        @Override
        public void objectInvalid(HasMetadata object, String message) {
        }
    };
}
