package io.gantry.plugin.snapshot;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.core.agent.SchedulerAgent;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.model.PodSpec;
import io.gantry.core.outbox.Outbox;
import io.gantry.plugin.config.SchedulerSettings;
import io.gantry.plugin.feed.ClusterFeed;
import io.gantry.plugin.feed.FeedListener;
import io.gantry.plugin.feed.PodDirectory;
import io.gantry.plugin.feed.PodRef;
import org.agrona.concurrent.CachedNanoClock;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Schedules a snapshot's pending Gantry pods with the real agent and a virtual clock that does not
 * move: binds are taken as done at once, evictions as carried out, and the result says, per pending
 * pod, the node and GPUs it would get or why it would not.
 */
public final class WhatIf {
    /** One pending pod's outcome: {@code node} null when it would stay pending, with the reason. */
    public record Decision(String namespace, String name, String node, List<Integer> gpus, String reason) {
    }

    /** A pod that would be preempted. */
    public record Eviction(String namespace, String name, String reason) {
    }

    public record Result(List<Decision> decisions, List<Eviction> evictions, int nodes, int boundPods) {
    }

    private WhatIf() {
    }

    public static Result run(Snapshot snapshot, SchedulerSettings settings) {
        PodDirectory directory = new PodDirectory();
        Map<Long, String> reasons = new HashMap<>();
        Map<Long, String> placedOn = new HashMap<>();
        Map<Long, Integer> masks = new HashMap<>();
        List<Long> newBinds = new ArrayList<>();
        List<Long> newEvictions = new ArrayList<>();
        List<Eviction> evictions = new ArrayList<>();
        Map<String, PodRef> pending = new LinkedHashMap<>();
        Map<String, String> gated = new HashMap<>();

        Outbox outbox = new Outbox() {
            @Override
            public void bind(PodSpec pod, String nodeName, int gpuMask) {
                placedOn.put(pod.id(), nodeName);
                masks.put(pod.id(), gpuMask);
                newBinds.add(pod.id());
            }

            @Override
            public void evict(PodSpec pod, String preemptor, String reason) {
                PodRef ref = directory.byId(pod.id());
                evictions.add(new Eviction(ref.namespace(), ref.name(), reason));
                newEvictions.add(pod.id());
            }

            @Override
            public void unschedulable(PodSpec pod, String message) {
                reasons.put(pod.id(), message);
            }

            @Override
            public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
            }
        };
        CachedNanoClock clock = new CachedNanoClock();
        SchedulerAgent agent = new SchedulerAgent(settings.coreConfig(), new IntakeQueue(2), outbox, clock);
        ClusterFeed feed = new ClusterFeed(settings.schedulerName(), settings.topology().rackLabel(),
                settings.gang().defaultScheduleTimeoutSeconds(), directory, new FeedListener() {
            @Override
            public void podInvalid(PodRef pod, String message) {
                pending.put(pod.uid(), pod);
                reasons.put(pod.id(), message);
            }

            @Override
            public void objectInvalid(HasMetadata object, String message) {
            }

            @Override
            public void podPending(PodRef pod, boolean isGated) {
                pending.put(pod.uid(), pod);
                if (isGated) {
                    gated.put(pod.uid(), "waiting for its scheduling gates to be removed");
                }
            }
        });
        List<Pod> pods = new ArrayList<>(snapshot.pods());
        for (int i = 0; i < pods.size(); i++) {
            if (pods.get(i).getMetadata().getUid() == null) {
                // hand-written snapshots may lack UIDs; the feed keys pods by them
                pods.get(i).getMetadata().setUid("snapshot-" + pods.get(i).getMetadata().getNamespace() + "/" + pods.get(i).getMetadata().getName());
            }
        }
        feed.attach(agent::onEvent, settings.queueSpecs(), snapshot.nodes(), snapshot.podGroups(), pods);
        for (int round = 0; round < 1_000_000; round++) {
            int work = agent.schedule(clock.nanoTime());
            List<Long> binds = new ArrayList<>(newBinds);
            newBinds.clear();
            for (long id : binds) {
                agent.bindSucceeded(id);
            }
            List<Long> gone = new ArrayList<>(newEvictions);
            newEvictions.clear();
            for (long id : gone) {
                agent.podRemoved(id);
                placedOn.remove(id);
            }
            if (work == 0 && binds.isEmpty() && gone.isEmpty()) {
                break;
            }
        }
        int bound = 0;
        for (Pod p : pods) {
            bound += ClusterFeed.isBound(p) ? 1 : 0;
        }
        List<Decision> decisions = new ArrayList<>();
        for (PodRef ref : pending.values()) {
            String node = placedOn.get(ref.id());
            List<Integer> gpus = new ArrayList<>();
            if (node != null) {
                for (int bits = masks.getOrDefault(ref.id(), 0); bits != 0; bits &= bits - 1) {
                    gpus.add(Integer.numberOfTrailingZeros(bits));
                }
            }
            String reason = node != null ? "" : gated.getOrDefault(ref.uid(), reasons.getOrDefault(ref.id(), "not tried"));
            decisions.add(new Decision(ref.namespace(), ref.name(), node, gpus, reason));
        }
        return new Result(decisions, evictions, snapshot.nodes().size(), bound);
    }
}
