package io.gantry.plugin.run;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gantry.core.agent.SchedulerAgent;
import io.gantry.plugin.act.Binder;
import io.gantry.plugin.act.Evictor;
import io.gantry.plugin.act.KubernetesOutbox;
import io.gantry.plugin.act.StatusReporter;
import io.gantry.plugin.act.WriteLimiter;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.feed.ClusterFeed;
import io.gantry.plugin.feed.FeedListener;
import io.gantry.plugin.feed.PodDirectory;
import io.gantry.plugin.feed.PodRef;
import io.gantry.plugin.metrics.SchedulerMetrics;
import io.gantry.plugin.translate.PodGroup;
import io.gantry.plugin.translate.PodTranslator;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler process. Informers for pods, nodes and PodGroups run on every replica, so a standby's
 * caches are warm; only the holder of the Lease schedules. On becoming leader it waits for the
 * informers to sync, replays them into a fresh agent (bound pods first, so capacity is known), and only
 * then schedules; on losing the lease it stops the agent, the binder and the evictor at once and
 * competes again.
 */
public final class GantryScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GantryScheduler.class);
    private static final String GANG_INDEX = "gang";
    private static final int INTAKE_CAPACITY = 65_536;

    private final KubernetesClient client;
    private final SchedulerSettings settings;
    private final String identity;
    private final SchedulerMetrics metrics;
    private final PodDirectory directory = new PodDirectory();
    private final ClusterFeed feed;
    private final StatusReporter reporter;
    private final WriteLimiter writes;
    private final ExecutorService electionThread;

    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<PodGroup> podGroups;
    private volatile LeaderSession session;
    private volatile boolean closed;
    private volatile CompletableFuture<?> election;

    public GantryScheduler(KubernetesClient client, SchedulerSettings settings, String identity, SchedulerMetrics metrics) {
        this.client = client;
        this.settings = settings;
        this.identity = identity;
        this.metrics = metrics;
        this.writes = new WriteLimiter(settings.client().qps(), settings.client().burst());
        this.reporter = new StatusReporter(client, settings.schedulerName(), identity, metrics,
                new WriteLimiter(Math.max(1, settings.client().qps() / 10), Math.max(1, settings.client().burst() / 10)), writes);
        this.feed = new ClusterFeed(settings.schedulerName(), settings.topology().rackLabel(),
                settings.gang().defaultScheduleTimeoutSeconds(), directory, new Listener());
        this.electionThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gantry-leader-election");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the informers and the competition for the lease (or leads at once without leader election). */
    public void start() {
        pods = client.pods().inAnyNamespace().runnableInformer(0);
        pods.addIndexers(Map.of(GANG_INDEX, pod -> {
            String key = PodTranslator.gangKey(pod);
            return key.isEmpty() ? List.of() : List.of(key);
        }));
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                feed.onPod(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                feed.onPod(after);
                String gang = PodTranslator.gangKey(after);
                if (!gang.isEmpty() && session != null && !Objects.equals(phase(before), phase(after))) {
                    reporter.refreshRunning(gang, minMemberOf(gang));
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                feed.onPodDeleted(pod);
            }
        });
        nodes = client.nodes().runnableInformer(0);
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                feed.onNode(node);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                feed.onNode(after);
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                feed.onNodeDeleted(node);
            }
        });
        podGroups = client.resources(PodGroup.class).inAnyNamespace().runnableInformer(0);
        podGroups.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PodGroup group) {
                feed.onPodGroup(group);
            }

            @Override
            public void onUpdate(PodGroup before, PodGroup after) {
                feed.onPodGroup(after);
            }

            @Override
            public void onDelete(PodGroup group, boolean finalStateUnknown) {
                feed.onPodGroupDeleted(group);
            }
        });
        reporter.runningMembers(this::runningMembers);
        nodes.start();
        podGroups.start().exceptionally(e -> {
            LOG.warn("PodGroup informer failed ({}); is the scheduling.x-k8s.io PodGroup CRD installed? Gangs wait until it is",
                    e.toString());
            return null;
        });
        pods.start();
        if (settings.leaderElection().enabled()) {
            electionThread.execute(this::competeForLease);
        } else {
            electionThread.execute(this::lead);
        }
    }

    private void competeForLease() {
        SchedulerSettings.LeaderElection le = settings.leaderElection();
        while (!closed) {
            LeaderElector elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                    .withName(le.leaseName())
                    .withLock(new LeaseLock(le.namespace(), le.leaseName(), identity))
                    .withLeaseDuration(seconds(le.leaseDurationSeconds()))
                    .withRenewDeadline(seconds(le.renewDeadlineSeconds()))
                    .withRetryPeriod(seconds(le.retryPeriodSeconds()))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(this::lead, this::stepDown,
                            leader -> LOG.info("leader is now {}", leader)))
                    .build()).build();
            election = elector.start();
            try {
                election.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!closed) {
                    LOG.warn("leader election ended: {}", e.toString());
                }
            }
            stepDown();
        }
    }

    /** Becomes the scheduling replica: fresh agent, replayed caches, then scheduling. */
    private synchronized void lead() {
        if (closed || session != null) {
            return;
        }
        LOG.info("{} leads: waiting for informers to sync, then rebuilding state from the API", identity);
        while (!closed && !synced()) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LeaderSession s = new LeaderSession(INTAKE_CAPACITY);
        Binder binder = new Binder(client, directory, s.sink, reporter, metrics, writes, settings.binder().threads(),
                Duration.ofMillis(Math.round(settings.binder().retrySeconds() * 1000)));
        Evictor evictor = new Evictor(client, s.sink, reporter, writes);
        KubernetesOutbox outbox = new KubernetesOutbox(directory, binder, evictor, reporter, metrics, this::gangCreated);
        SchedulerAgent agent = new SchedulerAgent(settings.coreConfig(), s.intake(), outbox, SystemNanoClock.INSTANCE);
        s.start(agent, binder, evictor);
        session = s;
        metrics.intakeDepth(s.intake()::size);
        long started = System.nanoTime();
        feed.attach(s.sink, settings.queueSpecs(), nodes.getStore().list(), podGroups.getStore().list(), pods.getStore().list());
        s.replayed();
        metrics.leading(true);
        LOG.info("{} schedules: replayed {} nodes, {} PodGroups, {} pods in {} ms", identity, nodes.getStore().list().size(),
                podGroups.getStore().list().size(), pods.getStore().list().size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Stops scheduling at once (lease lost or closing). */
    private synchronized void stepDown() {
        LeaderSession s = session;
        if (s == null) {
            return;
        }
        session = null;
        s.close();
        feed.detach();
        metrics.leading(false);
        metrics.intakeDepth(() -> 0);
        LOG.info("{} stopped scheduling", identity);
    }

    public boolean leading() {
        return session != null;
    }

    /** Informers have listed everything once: this replica could lead. */
    public boolean synced() {
        return pods != null && pods.hasSynced() && nodes.hasSynced() && (podGroups.hasSynced() || !podGroups.isRunning());
    }

    /** The process works: informers run and, when leading, the agent thread is alive. */
    public boolean healthy() {
        LeaderSession s = session;
        return !closed && pods != null && pods.isRunning() && nodes.isRunning() && (s == null || s.healthy());
    }

    public PodDirectory directory() {
        return directory;
    }

    public StatusReporter reporter() {
        return reporter;
    }

    private int runningMembers(String gangKey) {
        int running = 0;
        for (Pod p : pods.getIndexer().byIndex(GANG_INDEX, gangKey)) {
            if ("Running".equals(phase(p))) {
                running++;
            }
        }
        return running;
    }

    /** The gang's minMember from its PodGroup, or 0 when the PodGroup is unknown or has none. */
    private int minMemberOf(String gangKey) {
        PodGroup group = podGroups.getIndexer().getByKey(gangKey);
        if (group == null || group.getSpec() == null || group.getSpec().getMinMember() == null) {
            return 0;
        }
        return group.getSpec().getMinMember();
    }

    private Instant gangCreated(String gangKey) {
        int slash = gangKey.indexOf('/');
        PodGroup group = podGroups.getIndexer().getByKey(gangKey.substring(0, slash) + "/" + gangKey.substring(slash + 1));
        if (group == null || group.getMetadata().getCreationTimestamp() == null) {
            return null;
        }
        try {
            return Instant.parse(group.getMetadata().getCreationTimestamp());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    private static Duration seconds(double value) {
        return Duration.ofMillis(Math.round(value * 1000));
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> e = election;
        if (e != null) {
            e.cancel(true);
        }
        stepDown();
        electionThread.shutdownNow();
        for (SharedIndexInformer<?> informer : new SharedIndexInformer<?>[] {pods, nodes, podGroups}) {
            if (informer != null) {
                informer.close();
            }
        }
        reporter.close();
    }

    /** Pending-pod bookkeeping for metrics and user-facing reports of what cannot be translated. */
    private final class Listener implements FeedListener {
        @Override
        public void podInvalid(PodRef pod, String message) {
            metrics.pending(pod.uid(), pod.queue(), SchedulerMetrics.PendingReason.INVALID);
            LOG.info("{}", message);
            reporter.invalid(pod, message);
        }

        @Override
        public void objectInvalid(HasMetadata object, String message) {
            LOG.warn("{}", message);
            reporter.invalidObject(object, message);
        }

        @Override
        public void podPending(PodRef pod, boolean gated) {
            metrics.pending(pod.uid(), pod.queue(), gated ? SchedulerMetrics.PendingReason.GATED : SchedulerMetrics.PendingReason.QUEUED);
        }

        @Override
        public void podSettled(PodRef pod) {
            metrics.notPending(pod.uid());
            reporter.forget(pod.uid());
        }
    }

}
