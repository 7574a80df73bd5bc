/** The Kubernetes secondary scheduler process. */
package io.gantry.plugin;
