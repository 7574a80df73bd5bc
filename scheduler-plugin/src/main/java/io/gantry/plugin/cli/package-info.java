/** The {@code gantry scheduler} command: config file, API client, health endpoints, and the scheduler until stopped. */
package io.gantry.plugin.cli;
