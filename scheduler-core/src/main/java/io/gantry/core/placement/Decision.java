package io.gantry.core.placement;

/** An immutable placement decision, for callers outside the hot path (reports, tests, the plugin). */
public sealed interface Decision {

    /** Placed on {@code nodeName} (id {@code node}) using the GPUs listed. */
    record Placed(int node, String nodeName, int[] gpus) implements Decision {
        public Placed {
            gpus = gpus.clone();
        }

        @Override
        public int[] gpus() {
            return gpus.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Placed p && p.node == node && p.nodeName.equals(nodeName) && java.util.Arrays.equals(p.gpus, gpus);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * node + nodeName.hashCode()) + java.util.Arrays.hashCode(gpus);
        }

        @Override
        public String toString() {
            return "Placed[" + nodeName + " gpus=" + java.util.Arrays.toString(gpus) + "]";
        }
    }

    /** Not placed; {@code reason} counts the nodes ruled out per cause. */
    record Unschedulable(String reason) implements Decision {
    }
}
