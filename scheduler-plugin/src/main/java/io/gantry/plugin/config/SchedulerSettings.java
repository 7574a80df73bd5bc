package io.gantry.plugin.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.gantry.core.agent.NodePools;
import io.gantry.core.agent.SchedulerConfig;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.queue.QueueSpec;
import io.gantry.plugin.translate.KubeNames;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the config file may say, with defaults for what it leaves out. Built by
 * {@link SettingsLoader}; {@link #validate()} names the key of the first invalid value.
 */
public record SchedulerSettings(String schedulerName, PolicyChoice policies, List<Queue> queues, Gang gang,
                                Preemption preemption, LeaderElection leaderElection, Metrics metrics,
                                Client client, Binder binder, Topology topology, Pools pools, long seed) {

    @JsonCreator
    public SchedulerSettings(@JsonProperty("schedulerName") String schedulerName,
                             @JsonProperty("policies") PolicyChoice policies,
                             @JsonProperty("queues") List<Queue> queues,
                             @JsonProperty("gang") Gang gang,
                             @JsonProperty("preemption") Preemption preemption,
                             @JsonProperty("leaderElection") LeaderElection leaderElection,
                             @JsonProperty("metrics") Metrics metrics,
                             @JsonProperty("client") Client client,
                             @JsonProperty("binder") Binder binder,
                             @JsonProperty("topology") Topology topology,
                             @JsonProperty("pools") Pools pools,
                             @JsonProperty("seed") Long seed) {
        this(schedulerName == null ? "gantry" : schedulerName,
                policies == null ? new PolicyChoice(null, null) : policies,
                queues == null ? List.of() : List.copyOf(queues),
                gang == null ? new Gang(null, null) : gang,
                preemption == null ? new Preemption(null, null) : preemption,
                leaderElection == null ? new LeaderElection(null, null, null, null, null, null) : leaderElection,
                metrics == null ? new Metrics(null) : metrics,
                client == null ? new Client(null, null, null) : client,
                binder == null ? new Binder(null, null) : binder,
                topology == null ? new Topology(null) : topology,
                pools == null ? new Pools(null, null, null) : pools,
                seed == null ? 1L : seed);
    }

    /** Every default: what an empty config file means. */
    public static SchedulerSettings defaults() {
        return new SchedulerSettings(null, null, null, null, null, null, null, null, null, null, null, (Long) null);
    }

    /** Placement policy per workload class. */
    public record PolicyChoice(String training, String inference) {
        public PolicyChoice {
            training = training == null ? "bestfit" : training;
            inference = inference == null ? "spread" : inference;
        }
    }

    /** A queue and its quota in whole GPUs (and CPU cores for CPU-only work). */
    public record Queue(String name, Double guaranteedGpus, Double limitGpus, Double guaranteedCpus, Double weight) {
        public Queue {
            guaranteedGpus = guaranteedGpus == null ? 0.0 : guaranteedGpus;
            guaranteedCpus = guaranteedCpus == null ? 0.0 : guaranteedCpus;
            weight = weight == null ? 1.0 : weight;
        }

        QueueSpec toSpec() {
            long limit = limitGpus == null ? QueueSpec.NO_LIMIT : Math.round(limitGpus * 1000);
            return new QueueSpec(name, Math.round(guaranteedGpus * 1000), limit, Math.round(guaranteedCpus * 1000), weight);
        }
    }

    /** Gang defaults: the timeout of a PodGroup that sets none, and when a waiting gang starts reserving nodes. */
    public record Gang(Long defaultScheduleTimeoutSeconds, Long reservationDelaySeconds) {
        public Gang {
            defaultScheduleTimeoutSeconds = defaultScheduleTimeoutSeconds == null ? 0L : defaultScheduleTimeoutSeconds;
            reservationDelaySeconds = reservationDelaySeconds == null ? 300L : reservationDelaySeconds;
        }
    }

    public record Preemption(Boolean enabled, Boolean inferencePreemptible) {
        public Preemption {
            enabled = enabled == null || enabled;
            inferencePreemptible = inferencePreemptible != null && inferencePreemptible;
        }
    }

    /** The Lease replicas compete for; durations as kube-scheduler's defaults. */
    public record LeaderElection(Boolean enabled, String namespace, String leaseName, Double leaseDurationSeconds,
                                 Double renewDeadlineSeconds, Double retryPeriodSeconds) {
        public LeaderElection {
            enabled = enabled == null || enabled;
            namespace = namespace == null ? "gantry-system" : namespace;
            leaseName = leaseName == null ? "gantry-scheduler" : leaseName;
            leaseDurationSeconds = leaseDurationSeconds == null ? 15.0 : leaseDurationSeconds;
            renewDeadlineSeconds = renewDeadlineSeconds == null ? 10.0 : renewDeadlineSeconds;
            retryPeriodSeconds = retryPeriodSeconds == null ? 2.0 : retryPeriodSeconds;
        }
    }

    /** Port of {@code /metrics}, {@code /healthz} and {@code /readyz}; 0 picks a free one. */
    public record Metrics(Integer port) {
        public Metrics {
            port = port == null ? 10259 : port;
        }
    }

    /**
     * API client limits. {@code qps} and {@code burst} bound the writes Gantry sends (binds, events,
     * status); {@code maxConcurrentRequests} is the HTTP client's cap (fabric8 defaults to 64).
     */
    public record Client(Double qps, Integer burst, Integer maxConcurrentRequests) {
        public Client {
            qps = qps == null ? 2000.0 : qps;
            burst = burst == null ? 4000 : burst;
            maxConcurrentRequests = maxConcurrentRequests == null ? 512 : maxConcurrentRequests;
        }
    }

    /** Binder pool size and how long a failing bind is retried (5xx, timeouts) before it fails for good. */
    public record Binder(Integer threads, Double retrySeconds) {
        public Binder {
            threads = threads == null ? 16 : threads;
            retrySeconds = retrySeconds == null ? 30.0 : retrySeconds;
        }
    }

    /** The node label that names a node's rack or block (zone and NVLink clique labels are standard). */
    public record Topology(String rackLabel) {
        public Topology {
            rackLabel = rackLabel == null ? KubeNames.DEFAULT_RACK_LABEL : rackLabel;
        }
    }

    /**
     * Node pools each workload class prefers, by the value of one node label: long-running inference
     * kept off the nodes gangs need. A preference: when its pool is full a pod overflows to any node.
     * No pools unless {@code label} is set.
     */
    public record Pools(String label, String training, String inference) {
        public Pools {
            label = label == null ? "" : label;
            training = training == null ? "" : training;
            inference = inference == null ? "" : inference;
        }

        NodePools toCore() {
            return new NodePools(label, training, inference);
        }
    }

    /** Throws {@link ConfigException} naming the key of the first invalid value; returns this. */
    public SchedulerSettings validate() {
        require(!schedulerName.isBlank(), "schedulerName", "must not be empty");
        requirePolicy(policies.training(), "policies.training");
        requirePolicy(policies.inference(), "policies.inference");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < queues.size(); i++) {
            Queue q = queues.get(i);
            String key = "queues[" + i + "]";
            require(q.name() != null && !q.name().isBlank(), key + ".name", "must be set");
            require(names.add(q.name()), key + ".name", "repeats queue \"" + q.name() + "\"");
            require(q.guaranteedGpus() >= 0, key + ".guaranteedGpus", "must not be negative, got " + q.guaranteedGpus());
            require(q.limitGpus() == null || q.limitGpus() >= q.guaranteedGpus(), key + ".limitGpus",
                    "must be at least guaranteedGpus (" + q.guaranteedGpus() + "), got " + q.limitGpus());
            require(q.guaranteedCpus() >= 0, key + ".guaranteedCpus", "must not be negative, got " + q.guaranteedCpus());
            require(q.weight() > 0 && !q.weight().isInfinite(), key + ".weight", "must be a positive number, got " + q.weight());
        }
        require(gang.defaultScheduleTimeoutSeconds() >= 0, "gang.defaultScheduleTimeoutSeconds",
                "must not be negative, got " + gang.defaultScheduleTimeoutSeconds());
        require(gang.reservationDelaySeconds() >= 0, "gang.reservationDelaySeconds",
                "must not be negative, got " + gang.reservationDelaySeconds());
        require(!leaderElection.namespace().isBlank(), "leaderElection.namespace", "must not be empty");
        require(!leaderElection.leaseName().isBlank(), "leaderElection.leaseName", "must not be empty");
        require(leaderElection.retryPeriodSeconds() > 0, "leaderElection.retryPeriodSeconds",
                "must be positive, got " + leaderElection.retryPeriodSeconds());
        require(leaderElection.renewDeadlineSeconds() > leaderElection.retryPeriodSeconds(), "leaderElection.renewDeadlineSeconds",
                "must be longer than retryPeriodSeconds (" + leaderElection.retryPeriodSeconds() + "), got "
                        + leaderElection.renewDeadlineSeconds());
        require(leaderElection.leaseDurationSeconds() > leaderElection.renewDeadlineSeconds(), "leaderElection.leaseDurationSeconds",
                "must be longer than renewDeadlineSeconds (" + leaderElection.renewDeadlineSeconds() + "), got "
                        + leaderElection.leaseDurationSeconds());
        require(metrics.port() >= 0 && metrics.port() <= 65535, "metrics.port", "must be 0..65535, got " + metrics.port());
        require(client.qps() > 0, "client.qps", "must be positive, got " + client.qps());
        require(client.burst() >= 1, "client.burst", "must be at least 1, got " + client.burst());
        require(client.maxConcurrentRequests() >= 1, "client.maxConcurrentRequests",
                "must be at least 1, got " + client.maxConcurrentRequests());
        require(binder.threads() >= 1 && binder.threads() <= 256, "binder.threads", "must be 1..256, got " + binder.threads());
        require(binder.retrySeconds() >= 0, "binder.retrySeconds", "must not be negative, got " + binder.retrySeconds());
        require(!topology.rackLabel().isBlank(), "topology.rackLabel", "must not be empty");
        require(!pools.label().isEmpty() || (pools.training().isEmpty() && pools.inference().isEmpty()), "pools.label",
                "must name the node label that holds a node's pool when pools.training or pools.inference is set");
        require(pools.label().isEmpty() || !(pools.training().isEmpty() && pools.inference().isEmpty()), "pools.training",
                "or pools.inference must name a pool when pools.label is set");
        return this;
    }

    /** The core's config: policies, gang reservation delay, preemption, node pools, seed. */
    public SchedulerConfig coreConfig() {
        return SchedulerConfig.defaults()
                .withPolicies(policies.training(), policies.inference())
                .withTaskShapes(TaskShapeDistribution.EMPTY)
                .withSeed(seed)
                .withReservationDelayNanos(gang.reservationDelaySeconds() * 1_000_000_000L)
                .withPreemption(preemption.enabled())
                .withInferencePreemptible(preemption.inferencePreemptible())
                .withPools(pools.toCore());
    }

    public List<QueueSpec> queueSpecs() {
        List<QueueSpec> out = new ArrayList<>();
        for (Queue q : queues) {
            out.add(q.toSpec());
        }
        return out;
    }

    private static void requirePolicy(String policy, String key) {
        require(Policies.ALL.contains(policy), key, "must be one of " + String.join(", ", Policies.ALL) + ", got \"" + policy + "\"");
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException(key + ": " + problem);
        }
    }
}
