/**
 * Turns JMH's JSON results into the Markdown summary the run script writes: one row per benchmark
 * and parameter set, with the ratio to the baseline of the same suite and parameters.
 *
 * <p>Cold path, plain Java. Depends on Jackson only; nothing in the suites depends on it.
 */
package io.gantry.benchmarks.report;
