/**
 * The agent's decisions carried out against the API: bindings (pods/binding, with retries and
 * reconciliation), evictions (Eviction API), Events, pod conditions and PodGroup status. Everything here
 * runs on its own threads; the agent's outbox calls only enqueue.
 */
package io.gantry.plugin.act;
