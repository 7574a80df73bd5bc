package io.gantry.cli;

import io.gantry.plugin.cli.SchedulerCommand;
import io.gantry.plugin.run.CompletionPool;
import io.gantry.simulator.cli.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gantry} command: one entry point for every subcommand. */
@Command(name = "gantry", mixinStandardHelpOptions = true, version = "gantry 0.1.0",
        description = "Gantry, a GPU-aware batch scheduler for Kubernetes.",
        subcommands = {SimulateCommand.class, SchedulerCommand.class, CommandLine.HelpCommand.class})
public final class GantryCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: try 'gantry simulate', 'gantry scheduler' or 'gantry --help'");
    }

    public static void main(String[] args) {
        CompletionPool.widen();
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code: 0 success, 1 failed run, 2 bad usage. */
    public static int execute(String... args) {
        return new CommandLine(new GantryCommand()).execute(args);
    }
}
