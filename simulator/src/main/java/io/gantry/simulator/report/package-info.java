/**
 * Turning simulation results into what people and tools read: the console table, the JSON summary
 * (a contract other tools parse), CSV series and the HTML report with charts.
 *
 * <p>Cold path, plain Java. Depends on the result records of the protocol packages, Jackson and XChart.
 */
package io.gantry.simulator.report;
