/**
 * The {@code gantry simulate} command: options, input loading, running the chosen protocol, and
 * printing or writing its reports. Exit codes: 0 success, 1 a failed run (bad input file, empty
 * cluster), 2 bad usage.
 */
package io.gantry.simulator.cli;
