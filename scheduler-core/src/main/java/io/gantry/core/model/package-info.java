/**
 * Immutable values that describe what is asked and what exists: resource requests, pod and node
 * specifications, taints and tolerations, GPU model names.
 *
 * <p>Owns no state and depends on nothing but the JDK. Every value validates itself when it is built
 * and rejects bad input with a message that names the object and the field, so that nothing past this
 * package has to re-check a request.
 */
package io.gantry.core.model;
