/**
 * JMH suites for Gantry's hot paths. Every suite measures a naive baseline in the same run (method
 * names ending in {@code Baseline}), so results read as ratios that survive a change of machine.
 * Never run by CI beyond compiling; see {@code benchmarks/run} for the profiles.
 */
package io.gantry.benchmarks;
