package io.gantry.plugin.run;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ForkJoinPool;

/**
 * The pool where the JDK HTTP client completes every response of fabric8's requests (binds, events,
 * status, lists): {@code HttpClientImpl.sendAsync} hops each response to {@code CompletableFuture}'s default
 * executor, which is {@link ForkJoinPool#commonPool()} only when its parallelism is at least 2. With fewer
 * than 3 cores the parallelism is 1 and the JDK starts a new thread for every response instead, which
 * measured at 5,000 nodes x 10,000 pods cost about a quarter of the throughput (465 against 637 pods/s,
 * back to back on 2 cores). The JDK gives no other way to choose that executor, so the process sets the
 * parallelism before anything uses the pool.
 */
public final class CompletionPool {
    /** The system property the JDK reads once, when the common pool starts. */
    public static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
    private static final Logger LOG = LoggerFactory.getLogger(CompletionPool.class);

    private CompletionPool() {
    }

    /**
     * Asks for at least 2 workers in the common pool (more with more cores: one less than the cores), unless
     * the user set {@value #PARALLELISM}. Call first thing in {@code main}; too late, it only warns.
     */
    public static void widen() {
        if (System.getProperty(PARALLELISM) == null) {
            System.setProperty(PARALLELISM, Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
        if (ForkJoinPool.getCommonPoolParallelism() < 2) {
            LOG.warn("ForkJoinPool.commonPool has parallelism {}: the JDK HTTP client will start a thread per API response; "
                    + "run with -D{}=2", ForkJoinPool.getCommonPoolParallelism(), PARALLELISM);
        }
    }
}
