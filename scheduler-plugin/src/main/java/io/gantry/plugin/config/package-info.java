/**
 * The scheduler's YAML config file: what it may say, its defaults, and validation whose errors name
 * the key at fault.
 */
package io.gantry.plugin.config;
