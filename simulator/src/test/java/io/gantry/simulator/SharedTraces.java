package io.gantry.simulator;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared real traces are: the system property {@code gantry.traces} (set by the parent
 * pom to {@code ../shared/traces} beside the checkout), else {@code ../../shared/traces} relative to
 * the module. Tests call {@link #openbOrSkip()} and are skipped with a message when it is absent.
 */
public final class SharedTraces {
    public static final Path ROOT = Path.of(System.getProperty("gantry.traces", "../../shared/traces"));

    private SharedTraces() {
    }

    /** The alibaba-openb folder, or skips the calling test with a clear message. */
    public static Path openbOrSkip() {
        Path openb = ROOT.resolve("alibaba-openb");
        Assumptions.assumeTrue(Files.isDirectory(openb),
                () -> "skipping: the shared traces are absent (looked for " + openb.toAbsolutePath().normalize()
                        + "; set -Dgantry.traces=<folder holding alibaba-openb/>)");
        return openb;
    }

    /** The alibaba-dlrm-2025 folder, or skips the calling test with a clear message. */
    public static Path dlrmOrSkip() {
        Path dlrm = ROOT.resolve("alibaba-dlrm-2025");
        Assumptions.assumeTrue(Files.isDirectory(dlrm),
                () -> "skipping: the DLRM inference trace is absent (looked for " + dlrm.toAbsolutePath().normalize()
                        + "; set -Dgantry.traces=<folder holding alibaba-dlrm-2025/>)");
        return dlrm;
    }
}
