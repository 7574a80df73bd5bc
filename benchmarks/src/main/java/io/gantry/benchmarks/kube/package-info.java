/** Throughput of the whole scheduler process against a Kubernetes API over HTTP (fabric8's mock server). */
package io.gantry.benchmarks.kube;
