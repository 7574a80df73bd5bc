package io.gantry.core.agent;

import io.gantry.core.model.PodSpec;
import io.gantry.core.outbox.Outbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An outbox that records every decision, in order, for assertions. */
final class RecordingOutbox implements Outbox {
    record Bind(PodSpec pod, String node, int gpuMask) {
    }

    record Eviction(PodSpec pod, String preemptor, String reason) {
    }

    record GangStatus(String gang, GangPhase phase, int placed, int minMember, String message) {
    }

    final List<Bind> binds = new ArrayList<>();
    final List<Eviction> evictions = new ArrayList<>();
    final List<PodSpec> cancels = new ArrayList<>();
    final Map<String, String> lastReasonByPod = new LinkedHashMap<>();
    final List<GangStatus> gangStatuses = new ArrayList<>();
    /** What {@link #wantsReasons()} answers; false as the simulator's outbox. */
    boolean wantsReasons = true;

    @Override
    public boolean wantsReasons() {
        return wantsReasons;
    }
    int bindsTaken;
    int evictionsTaken;

    @Override
    public void bind(PodSpec pod, String nodeName, int gpuMask) {
        binds.add(new Bind(pod, nodeName, gpuMask));
    }

    @Override
    public void cancelBind(PodSpec pod) {
        cancels.add(pod);
    }

    @Override
    public void evict(PodSpec pod, String preemptor, String reason) {
        evictions.add(new Eviction(pod, preemptor, reason));
    }

    @Override
    public void unschedulable(PodSpec pod, String message) {
        lastReasonByPod.put(pod.name(), message);
    }

    @Override
    public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
        gangStatuses.add(new GangStatus(gangKey, phase, placedMembers, minMember, message));
    }

    /** Binds sent since the last call. */
    List<Bind> newBinds() {
        List<Bind> out = List.copyOf(binds.subList(bindsTaken, binds.size()));
        bindsTaken = binds.size();
        return out;
    }

    List<Eviction> newEvictions() {
        List<Eviction> out = List.copyOf(evictions.subList(evictionsTaken, evictions.size()));
        evictionsTaken = evictions.size();
        return out;
    }

    List<String> boundPodNames() {
        return binds.stream().map(b -> b.pod().name()).toList();
    }
}
