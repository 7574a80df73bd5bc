package io.gantry.plugin.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.plugin.config.ConfigException;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.config.SettingsLoader;
import io.gantry.plugin.metrics.HealthServer;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.run.ClientSettings;
import io.gantry.plugin.run.CompletionPool;
import io.gantry.plugin.run.GantryScheduler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code gantry scheduler}: schedules the cluster's pods that name Gantry, until stopped. */
@Command(name = "scheduler", mixinStandardHelpOptions = true,
        description = {"Run the Gantry scheduler against a Kubernetes cluster, next to the default scheduler:",
                "pods with spec.schedulerName equal to the configured name (default gantry) are placed by Gantry."},
        footer = {"", "Examples:",
                "  gantry scheduler --config /etc/gantry/config.yaml            (in a pod: in-cluster service account)",
                "  gantry scheduler --config config.yaml --kubeconfig ~/.kube/config",
                "",
                "Serves /metrics, /healthz and /readyz on metrics.port (default 10259)."})
public final class SchedulerCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file; every key is optional (see manifests/config.yaml)")
    Path config;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "kubeconfig to use; without it, the in-cluster service account (or ~/.kube/config)")
    Path kubeconfig;

    @Option(names = "--identity", paramLabel = "NAME",
            description = "this replica's name in the leader Lease (default: $POD_NAME, else host name plus a random suffix)")
    String identity;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile HealthServer health;
    private volatile GantryScheduler scheduler;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CompletionPool.widen();
        SchedulerSettings settings;
        try {
            settings = config == null ? SchedulerSettings.defaults().validate() : SettingsLoader.load(config);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("gantry scheduler: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        }
        String name = identity != null ? identity : defaultIdentity();
        KubernetesClient client = ClientSettings.client(kubeconfig, settings);
        SchedulerMetrics metrics = new SchedulerMetrics();
        GantryScheduler s = new GantryScheduler(client, settings, name, metrics);
        scheduler = s;
        health = new HealthServer(settings.metrics().port(), metrics, s::healthy, s::synced);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "gantry-shutdown"));
        spec.commandLine().getErr().println("gantry scheduler " + name + ": scheduler name " + settings.schedulerName() + ", API "
                + client.getMasterUrl() + ", metrics on :" + health.port()
                + (settings.leaderElection().enabled() ? ", competing for Lease " + settings.leaderElection().namespace() + "/"
                + settings.leaderElection().leaseName() : ", leader election off"));
        spec.commandLine().getErr().flush();
        s.start();
        stop.await();
        s.close();
        health.close();
        client.close();
        return 0;
    }

    /** Stops a running {@link #call()} (shutdown hook, tests). */
    public void stop() {
        stop.countDown();
    }

    /** The running scheduler, once started. */
    public GantryScheduler scheduler() {
        return scheduler;
    }

    /** The port health and metrics are served on, once started, else -1. */
    public int healthPort() {
        HealthServer h = health;
        return h == null ? -1 : h.port();
    }

    private static String defaultIdentity() {
        String pod = System.getenv("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "gantry";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
