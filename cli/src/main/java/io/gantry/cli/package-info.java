/**
 * The {@code gantry} executable: wires the subcommands of the other modules under one Picocli
 * command. Owns no logic of its own.
 */
package io.gantry.cli;
