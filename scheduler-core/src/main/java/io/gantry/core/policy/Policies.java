package io.gantry.core.policy;

import java.util.List;
import java.util.Locale;

/** Builds policies by name. The names are the ones used in config files, the CLI and reports. */
public final class Policies {
    /** The FGD paper's six policies, in the order its figures list them. */
    public static final List<String> PAPER = List.of("random", "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd");

    /** Every policy this build offers. */
    public static final List<String> ALL = List.of("random", "dotprod", "gpuclustering", "gpupacking", "bestfit", "fgd", "spread");

    private Policies() {
    }

    /** A new policy instance; each instance keeps its own caches, so use one per cluster state. */
    public static PlacementPolicy create(String name, PolicyContext context) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "random" -> new RandomPolicy(context.seed());
            case "dotprod" -> new DotProductPolicy();
            case "gpuclustering" -> new GpuClusteringPolicy();
            case "gpupacking" -> new GpuPackingPolicy();
            case "bestfit" -> new BestFitPolicy();
            case "fgd" -> new FgdPolicy(context.taskShapes());
            case "spread" -> new SpreadPolicy();
            default -> throw new IllegalArgumentException("unknown policy \"" + name + "\"; known: " + String.join(", ", ALL));
        };
    }
}
