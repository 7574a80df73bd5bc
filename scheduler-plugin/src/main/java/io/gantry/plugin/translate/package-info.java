/**
 * Kubernetes objects into core specs: nodes into {@code NodeSpec}, pods into {@code PodSpec}, PodGroups
 * into {@code GangSpec}. Pure functions of one object (and the settings); every refusal is a
 * {@link io.gantry.plugin.translate.TranslationException} naming the object, the field and the value.
 */
package io.gantry.plugin.translate;
