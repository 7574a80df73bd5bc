/** Prometheus metrics of the scheduler process and the HTTP endpoints {@code /metrics}, {@code /healthz}, {@code /readyz}. */
package io.gantry.plugin.metrics;
