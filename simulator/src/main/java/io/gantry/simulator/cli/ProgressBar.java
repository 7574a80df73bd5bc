package io.gantry.simulator.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr, shown only when stderr is a terminal and the work has taken
 * more than a second, so piped and short runs print nothing extra.
 */
final class ProgressBar {
    private static final long SHOW_AFTER_NANOS = 1_000_000_000L;
    private final PrintWriter err;
    private final int total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private boolean shown;

    private ProgressBar(PrintWriter err, int total, boolean enabled) {
        this.err = err;
        this.total = total;
        this.enabled = enabled;
    }

    static ProgressBar forStderr(PrintWriter err, int total) {
        return new ProgressBar(err, total, System.console() != null);
    }

    synchronized void update(int done) {
        if (!enabled || System.nanoTime() - start < SHOW_AFTER_NANOS) {
            return;
        }
        int width = 30;
        int filled = total == 0 ? width : done * width / total;
        err.print("\r[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + done + "/" + total + " runs");
        err.flush();
        shown = true;
    }

    synchronized void finish() {
        if (shown) {
            err.print("\r" + " ".repeat(50) + "\r");
            err.flush();
        }
    }
}
