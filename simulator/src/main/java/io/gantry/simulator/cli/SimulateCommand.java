package io.gantry.simulator.cli;

import io.gantry.core.policy.Policies;
import io.gantry.simulator.inflation.InflationExperiment;
import io.gantry.simulator.report.InflationJson;
import io.gantry.simulator.report.InflationReport;
import io.gantry.simulator.report.InflationTable;
import io.gantry.simulator.report.ReplayJson;
import io.gantry.simulator.report.ReplayReport;
import io.gantry.simulator.report.ReplayTable;
import io.gantry.simulator.replay.ReplayExperiment;
import io.gantry.simulator.replay.ReplaySimulation;
import io.gantry.core.agent.SchedulerConfig;
import io.gantry.simulator.trace.SyntheticWorkload;
import io.gantry.simulator.trace.TraceFormatException;
import io.gantry.simulator.workload.Workload;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.IntConsumer;

/** {@code gantry simulate}: run a protocol over a trace or the built-in synthetic workload. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate a GPU cluster under Gantry's placement policies.",
        footerHeading = "%nExamples:%n",
        footer = {
                "  gantry simulate",
                "      the built-in synthetic workload, every paper policy, 3 seeds",
                "  gantry simulate --nodes ../shared/traces/alibaba-openb/openb_node_list_gpu_node.csv \\",
                "                  --pods ../shared/traces/alibaba-openb/openb_pod_list_default.csv --seeds 10 --json out.json",
                "      the FGD paper's experiment on the Alibaba 2023 trace",
                "  gantry simulate --policies fgd,bestfit --inflate-to 1.0 --report report/",
                "  kubectl get nodes,pods,podgroups -A -o yaml > cluster.yaml",
                "  gantry simulate --snapshot cluster.yaml --config config.yaml --json what-if.json",
                "      where would the cluster's pending Gantry pods go, and why not",
                "  gantry simulate --protocol mixed --inference-trace ../shared/traces/alibaba-dlrm-2025 \\",
                "                  --nodes ../shared/traces/alibaba-openb/openb_node_list_all_node.csv \\",
                "                  --pods ../shared/traces/alibaba-openb/openb_pod_list_default.csv --policies bestfit,fgd",
                "      the DLRM inference trace beside the openb training trace on one cluster"
        })
public final class SimulateCommand implements Callable<Integer> {

    enum Protocol { inflation, replay, mixed, latency }

    @Option(names = "--nodes", paramLabel = "FILE", description = "openb node list CSV (sn,cpu_milli,memory_mib,gpu,model). Without --nodes and --pods the synthetic workload is used.")
    Path nodes;

    @Option(names = "--pods", paramLabel = "FILE", description = "openb pod list CSV.")
    Path pods;

    @Option(names = "--protocol", defaultValue = "inflation", description = "Protocol: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Protocol protocol;

    @Option(names = "--policies", split = ",", paramLabel = "NAME", description = "Comma list of policies (default: the paper's six: random,dotprod,gpuclustering,gpupacking,bestfit,fgd). Also: spread.")
    List<String> policies;

    @Option(names = "--seeds", defaultValue = "-1", description = "Seeds per policy (default: 10 for a trace, 3 for the synthetic workload).")
    int seeds;

    @Option(names = "--first-seed", defaultValue = "42", description = "First seed; seeds are consecutive (default: ${DEFAULT-VALUE}, as the paper).")
    long firstSeed;

    @Option(names = "--inflate-to", defaultValue = "1.3", description = "Target GPU demand as a multiple of capacity (default: ${DEFAULT-VALUE}).")
    double inflateTo;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON summary here.")
    Path json;

    @Option(names = "--report", paramLabel = "DIR", description = "Write an HTML report with charts and the CSV series behind them to DIR.")
    Path report;

    @Option(names = "--inference-trace", paramLabel = "DIR", description = "Mixed protocol: the DLRM inference trace folder (or its CSV), replayed beside --pods on the --nodes cluster.")
    Path inferenceTrace;

    @Option(names = "--skip-bad-lines", description = "Skip and count malformed trace lines instead of failing on the first.")
    boolean skipBadLines;

    @Option(names = "--check-invariants", description = "Verify the cluster state after every pod (slow; for testing).")
    boolean checkInvariants;

    @Option(names = "--threads", defaultValue = "0", description = "Worker threads (default: one per core).")
    int threads;

    @Option(names = "--synthetic-nodes", defaultValue = "1000", description = "Nodes of the synthetic workload (default: ${DEFAULT-VALUE}).")
    int syntheticNodes;

    @Option(names = "--synthetic-pods", defaultValue = "10000", description = "Pods of the synthetic workload (default: ${DEFAULT-VALUE}).")
    int syntheticPods;

    @Option(names = "--synthetic-arrival-s", defaultValue = "0", description = "Mean seconds between synthetic pod arrivals (default: 0.2 x 1000 / nodes, which keeps a cluster of any size about as busy).")
    double syntheticArrivalSeconds;

    @Option(names = "--synthetic-seed", defaultValue = "1", description = "Seed of the synthetic workload generator (default: ${DEFAULT-VALUE}).")
    long syntheticSeed;

    @Option(names = "--gang-share", defaultValue = "-1", description = "Replay: share of whole multi-GPU jobs run as gangs of 2, 4 or 8 workers (default: 0.3 for the synthetic workload, 0 for a trace).")
    double gangShare;

    @Option(names = "--bind-latency-ms", defaultValue = "0", description = "Replay: virtual time from a bind to its confirmation (default: ${DEFAULT-VALUE}).")
    long bindLatencyMs;

    @Option(names = "--reservation-delay-s", defaultValue = "300", description = "Replay: how long a gang waits before nodes are reserved for it (default: ${DEFAULT-VALUE}).")
    long reservationDelaySeconds;

    @Option(names = "--snapshot", paramLabel = "FILE", description = "What-if on a real cluster: what `kubectl get nodes,pods,podgroups -A -o yaml` prints. Schedules the pending Gantry pods with the scheduler's own translation and core, and prints each pod's outcome (--json writes them).")
    Path snapshot;

    @Option(names = "--config", paramLabel = "FILE", description = "With --snapshot: the scheduler's config file (policies, queues), as `gantry scheduler` reads it.")
    Path schedulerConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (snapshot != null) {
            return runSnapshot(out, err);
        }
        if (schedulerConfig != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--config goes with --snapshot");
        }
        List<String> chosen = policies == null || policies.isEmpty() ? Policies.PAPER : policies;
        for (String p : chosen) {
            if (!Policies.ALL.contains(p.toLowerCase(Locale.ROOT))) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--policies: unknown policy \"" + p + "\"; known: " + String.join(", ", Policies.ALL));
            }
        }
        if (protocol == Protocol.mixed && (inferenceTrace == null || nodes == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--protocol mixed needs --inference-trace DIR and a training trace (--nodes and --pods)");
        }
        if ((nodes == null) != (pods == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--nodes and --pods go together: give both, or neither for the synthetic workload");
        }
        if (protocol == Protocol.latency) {
            return latency(out);
        }
        Workload workload;
        try {
            workload = loadWorkload();
        } catch (TraceFormatException | IllegalArgumentException e) {
            err.println("gantry simulate: " + e.getMessage());
            return 1;
        }
        if (workload.skippedLines() > 0) {
            err.printf(Locale.ROOT, "skipped %d malformed line(s); first: %s%n", workload.skippedLines(), String.join(" | ", workload.skipErrors()));
        }
        int threadCount = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (protocol == Protocol.mixed) {
            return mixed(workload, lower(policies == null || policies.isEmpty() ? List.of("bestfit", "fgd") : policies), out, err);
        }
        if (protocol == Protocol.replay) {
            return replay(workload, lower(chosen), threadCount, out, err);
        }
        int seedCount = seeds > 0 ? seeds : (nodes == null ? 3 : 10);
        InflationExperiment experiment;
        try {
            experiment = new InflationExperiment(workload,
                    new InflationExperiment.Config(lower(chosen), seedCount, firstSeed, inflateTo, checkInvariants, threadCount));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return runAndReport(experiment.runCount(), experiment::run, InflationTable::render, InflationJson::write,
                InflationReport::write, out, err);
    }

    /** How a protocol's result is written to a file. */
    @FunctionalInterface
    private interface ResultWriter<R> {
        void write(R result, Path path) throws IOException;
    }

    /** Runs with a progress bar, prints the table, writes the JSON and the report when asked: 0, or 1 on a failed run. */
    private <R> int runAndReport(int runs, Function<IntConsumer, R> run, Function<R, String> table, ResultWriter<R> jsonWriter,
                                 ResultWriter<R> reportWriter, PrintWriter out, PrintWriter err) throws IOException {
        ProgressBar progress = ProgressBar.forStderr(err, runs);
        R result;
        try {
            result = run.apply(progress::update);
        } catch (IllegalArgumentException e) {
            err.println("gantry simulate: " + e.getMessage());
            return 1;
        } finally {
            progress.finish();
        }
        out.print(table.apply(result));
        out.flush();
        if (json != null) {
            jsonWriter.write(result, json);
            err.println("wrote " + json);
        }
        if (report != null) {
            reportWriter.write(result, report);
            err.println("wrote " + report.resolve("index.html"));
        }
        return 0;
    }

    private int replay(Workload workload, List<String> chosen, int threadCount, PrintWriter out, PrintWriter err) throws IOException {
        double share = gangShare >= 0 ? gangShare : (nodes == null ? 0.3 : 0);
        ReplaySimulation.Config config;
        ReplayExperiment experiment;
        try {
            SchedulerConfig scheduler = SchedulerConfig.defaults().withSeed(firstSeed)
                    .withReservationDelayNanos(reservationDelaySeconds * 1_000_000_000L);
            config = new ReplaySimulation.Config(scheduler, share, firstSeed, bindLatencyMs * 1_000_000L, 60_000_000_000L, checkInvariants);
            experiment = new ReplayExperiment(workload, chosen, config, threadCount);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        return runAndReport(chosen.size(), experiment::run, ReplayTable::render, ReplayJson::write, ReplayReport::write, out, err);
    }

    /**
     * Inference decision latency while gangs of 256 are planned on {@code --synthetic-nodes} nodes
     * (see {@link io.gantry.simulator.replay.GangLatencyExperiment}); the training policy is the first of {@code --policies}.
     */
    private int latency(PrintWriter out) throws InterruptedException {
        String policy = policies == null || policies.isEmpty() ? "bestfit" : policies.get(0).toLowerCase(Locale.ROOT);
        SchedulerConfig scheduler = SchedulerConfig.defaults().withSeed(firstSeed).withPolicies(policy, "spread");
        io.gantry.simulator.replay.GangLatencyExperiment.Result r =
                new io.gantry.simulator.replay.GangLatencyExperiment(syntheticNodes, 256, 8, 2400, 400, 5000).run(scheduler);
        out.printf(Locale.ROOT, "%d nodes, a gang of %d and 8 inference replicas every 5 ms, %d measured rounds (%d late), policy %s, %d inference decisions%n",
                r.nodes(), r.gangSize(), r.rounds(), r.lateRounds(), policy, r.inferenceDecisions());
        out.printf(Locale.ROOT, "inference intake->decision us: p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n", r.p50Us(), r.p99Us(),
                r.p999Us(), r.maxUs());
        out.printf(Locale.ROOT, "gang last member offered->first bind us: p50 %.1f  p99 %.1f  max %.1f  (unplaced gangs %d)%n", r.gangPlanP50Us(),
                r.gangPlanP99Us(), r.gangPlanMaxUs(), r.unplacedGangs());
        if (!r.agentError().isEmpty()) {
            out.println("agent error: " + r.agentError());
            return 1;
        }
        out.flush();
        return 0;
    }

    /** The DLRM inference trace beside the training trace, one run per policy (training policy; inference uses spread). */
    private int mixed(Workload workload, List<String> chosen, PrintWriter out, PrintWriter err) throws IOException {
        io.gantry.simulator.trace.TraceReadResult<io.gantry.simulator.trace.DlrmInstance> instances;
        try {
            instances = new io.gantry.simulator.trace.DlrmTraceReader(skipBadLines).read(inferenceTrace);
        } catch (TraceFormatException e) {
            err.println("gantry simulate: " + e.getMessage());
            return 1;
        }
        if (instances.skippedLines() > 0) {
            err.printf(Locale.ROOT, "skipped %d malformed inference line(s); first: %s%n", instances.skippedLines(),
                    String.join(" | ", instances.firstErrors()));
        }
        out.printf(Locale.ROOT, "%-8s %6s %10s %10s %9s %13s %8s %8s %9s %9s %9s %9s %7s%n", "policy", "nodes", "train", "placed",
                "instances", "placed", "capViol", "GPU%avg", "lat p50", "lat p99", "p99.9", "max us", "wall s");
        int failed = 0;
        for (String policy : chosen) {
            SchedulerConfig scheduler = SchedulerConfig.defaults().withSeed(firstSeed).withPolicies(policy, "spread")
                    .withReservationDelayNanos(reservationDelaySeconds * 1_000_000_000L);
            io.gantry.simulator.replay.MixedReplay.Result r = new io.gantry.simulator.replay.MixedReplay(scheduler)
                    .run(workload, instances.items());
            out.printf(Locale.ROOT, "%-8s %6d %10d %10d %9d %13d %8d %8.2f %9.1f %9.1f %9.1f %9.1f %7.1f%n", r.policy(), r.nodes(),
                    r.trainingPods(), r.trainingPlaced(), r.instances(), r.instancesPlaced(), r.capViolations(), r.meanGpuAllocatedPct(),
                    r.latencyP50Us(), r.latencyP99Us(), r.latencyP999Us(), r.latencyMaxUs(), r.wallSeconds());
            out.printf(Locale.ROOT, "         replicas per node per service at the end (replicas: service-node pairs): %s%n",
                    r.replicasPerNodePerService());
            if (!r.agentError().isEmpty()) {
                err.println("gantry simulate: " + policy + ": agent error: " + r.agentError());
            }
            failed += r.capViolations() > 0 || !r.agentError().isEmpty() ? 1 : 0;
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }

    private Workload loadWorkload() throws IOException {
        if (nodes == null) {
            double arrival = syntheticArrivalSeconds > 0 ? syntheticArrivalSeconds : 0.2 * 1000 / Math.max(1, syntheticNodes);
            SyntheticWorkload.Config config = SyntheticWorkload.Config.defaults()
                    .withSeed(syntheticSeed).withNodeCount(syntheticNodes).withPodCount(syntheticPods)
                    .withMeanInterArrivalSeconds(arrival);
            return Workload.synthetic(config);
        }
        for (Path p : List.of(nodes, pods)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("no such file: " + p);
            }
        }
        return Workload.openb(nodes, pods, skipBadLines);
    }

    private static List<String> lower(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(n.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private int runSnapshot(PrintWriter out, PrintWriter err) {
        if (nodes != null || pods != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--snapshot replaces --nodes and --pods; give one or the other");
        }
        for (SnapshotMode mode : java.util.ServiceLoader.load(SnapshotMode.class)) {
            return mode.run(snapshot, schedulerConfig, json, out, err);
        }
        err.println("gantry simulate: --snapshot needs the Kubernetes support of the gantry jar (scheduler-plugin), "
                + "which is not on the class path");
        return 1;
    }
}
