package io.gantry.simulator.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What-if scheduling on a Kubernetes snapshot ({@code gantry simulate --snapshot FILE}). The simulator
 * knows no Kubernetes types, so the implementation lives with the scheduler plugin and is found with
 * {@link java.util.ServiceLoader} (the {@code gantry} jar carries it).
 */
public interface SnapshotMode {
    /** Runs the what-if; returns the exit code (0 done, 1 unreadable input). */
    int run(Path snapshot, Path config, Path json, PrintWriter out, PrintWriter err);
}
