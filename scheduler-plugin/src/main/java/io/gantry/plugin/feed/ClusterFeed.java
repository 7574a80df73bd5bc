package io.gantry.plugin.feed;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.queue.QueueSpec;
import io.gantry.plugin.translate.GangTranslator;
import io.gantry.plugin.translate.KubeNames;
import io.gantry.plugin.translate.NodeTranslator;
import io.gantry.plugin.translate.PodGroup;
import io.gantry.plugin.translate.PodTranslator;
import io.gantry.plugin.translate.TranslationException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns informer callbacks into the core's events, telling the agent each fact once.
 *
 * <ul>
 *   <li>A pod bound by anyone counts against its node ({@code PodBound}, once); if its node is not known
 *       yet, it waits for the node.</li>
 *   <li>An unbound pod with our scheduler name and no scheduling gates is handed to the agent
 *       ({@code PodAdded}, once); one Gantry cannot translate stays out, with its message reported, and is
 *       translated again on its next change or its PodGroup's.</li>
 *   <li>A finished, terminating or deleted pod frees its capacity ({@code PodRemoved}, once).</li>
 *   <li>Nodes and PodGroups are sent when they appear and again only when their translation changes
 *       (node status heartbeats do not reach the agent).</li>
 * </ul>
 *
 * <p>Only the leader feeds an agent: until {@link #attach} and after {@link #detach} every callback is
 * dropped, and {@code attach} replays the informer caches into the new agent. Callbacks come from the
 * informers' threads; one lock keeps each pod's story in order.
 */
public final class ClusterFeed {
    private enum Told { NOTHING, PENDING, BOUND, GONE }

    private static final class Tracked {
        final PodRef ref;
        Told told = Told.NOTHING;
        PodSpec spec;
        /** The pod as last seen. */
        Pod pod;
        /** While told PENDING: the gang key the pod named then ("" for none). */
        String gangTold = "";

        Tracked(PodRef ref) {
            this.ref = ref;
        }
    }

    private final String schedulerName;
    private final PodDirectory directory;
    private final PodTranslator podTranslator;
    private final NodeTranslator nodeTranslator;
    private final GangTranslator gangTranslator;
    private final FeedListener listener;

    private EventSink sink;
    private final Map<String, Tracked> pods = new HashMap<>();
    private final Map<String, NodeSpec> nodes = new HashMap<>();
    private final Map<String, Map<String, Pod>> boundWaitingForNode = new HashMap<>();
    private final Set<String> gangsSent = new HashSet<>();
    private final Map<String, String> invalidGangs = new HashMap<>();
    private final Map<String, Pod> invalidPods = new LinkedHashMap<>();
    /** Uids of the pods told to the agent as pending, by the gang key they named then. */
    private final Map<String, Set<String>> pendingMembers = new HashMap<>();

    public ClusterFeed(String schedulerName, String rackLabel, long defaultGangTimeoutSeconds, PodDirectory directory,
                       FeedListener listener) {
        this.schedulerName = schedulerName;
        this.directory = directory;
        this.nodeTranslator = new NodeTranslator(rackLabel);
        this.podTranslator = new PodTranslator(rackLabel);
        this.gangTranslator = new GangTranslator(defaultGangTimeoutSeconds);
        this.listener = listener;
    }

    /**
     * Starts feeding {@code target}: forgets what an earlier agent was told, then replays queues, nodes,
     * PodGroups, bound pods and pending pods, in that order, so capacity is known before anything is placed.
     */
    public synchronized void attach(EventSink target, Collection<QueueSpec> queues, Collection<Node> allNodes,
                                    Collection<PodGroup> groups, Collection<Pod> allPods) {
        forgetAll();
        this.sink = target;
        for (QueueSpec q : queues) {
            sink.send(new SchedulerEvent.QueueUpdated(q));
        }
        for (Node n : allNodes) {
            onNode(n);
        }
        for (PodGroup g : groups) {
            onPodGroup(g);
        }
        List<Pod> pending = new ArrayList<>();
        for (Pod p : allPods) {
            if (isBound(p)) {
                onPod(p);
            } else {
                pending.add(p);
            }
        }
        for (Pod p : pending) {
            onPod(p);
        }
    }

    /** Stops feeding (leadership lost); nothing is sent until the next {@link #attach}. */
    public synchronized void detach() {
        sink = null;
        forgetAll();
    }

    public synchronized boolean attached() {
        return sink != null;
    }

    private void forgetAll() {
        pods.clear();
        nodes.clear();
        boundWaitingForNode.clear();
        gangsSent.clear();
        invalidGangs.clear();
        invalidPods.clear();
        pendingMembers.clear();
    }

    // ------------------------------------------------------------------ pods

    public synchronized void onPod(Pod pod) {
        if (sink == null) {
            return;
        }
        String uid = pod.getMetadata().getUid();
        Tracked tracked = pods.get(uid);
        if (tracked == null) {
            tracked = new Tracked(directory.refOf(pod));
            pods.put(uid, tracked);
        }
        tracked.pod = pod;
        if (isFinished(pod)) {
            settle(tracked, "Succeeded".equals(phase(pod)));
            invalidPods.remove(uid);
            return;
        }
        if (tracked.told == Told.GONE || tracked.told == Told.BOUND) {
            return;
        }
        String nodeName = pod.getSpec().getNodeName();
        if (nodeName != null && !nodeName.isEmpty()) {
            onBoundPod(pod, tracked, nodeName);
            return;
        }
        if (!schedulerName.equals(pod.getSpec().getSchedulerName()) || tracked.told == Told.PENDING) {
            return;
        }
        if (pod.getSpec().getSchedulingGates() != null && !pod.getSpec().getSchedulingGates().isEmpty()) {
            listener.podPending(tracked.ref, true);
            return;
        }
        String gang = PodTranslator.gangKey(pod);
        String gangProblem = invalidGangs.get(gang);
        if (gangProblem != null) {
            invalidPods.put(uid, pod);
            listener.podInvalid(tracked.ref, "label " + KubeNames.POD_GROUP_LABEL + " names an invalid PodGroup: " + gangProblem);
            return;
        }
        PodSpec spec;
        try {
            spec = podTranslator.translate(pod, tracked.ref.id());
        } catch (TranslationException e) {
            invalidPods.put(uid, pod);
            listener.podInvalid(tracked.ref, e.getMessage());
            return;
        }
        invalidPods.remove(uid);
        tracked.spec = spec;
        tell(tracked, Told.PENDING);
        sink.send(new SchedulerEvent.PodAdded(spec));
        listener.podPending(tracked.ref, false);
    }

    private void onBoundPod(Pod pod, Tracked tracked, String nodeName) {
        String uid = pod.getMetadata().getUid();
        invalidPods.remove(uid);
        if (!nodes.containsKey(nodeName)) {
            boundWaitingForNode.computeIfAbsent(nodeName, k -> new LinkedHashMap<>()).put(uid, pod);
            return;
        }
        PodSpec spec = tracked.spec;
        if (spec == null) {
            try {
                spec = podTranslator.translateBound(pod, tracked.ref.id());
            } catch (TranslationException e) {
                listener.objectInvalid(pod, e.getMessage() + " (bound to " + nodeName + "; its capacity is not counted)");
                return;
            }
        }
        tracked.spec = spec;
        tell(tracked, Told.BOUND);
        sink.send(new SchedulerEvent.PodBound(spec, nodeName, gpuMask(pod)));
        listener.podSettled(tracked.ref);
    }

    public synchronized void onPodDeleted(Pod pod) {
        String uid = pod.getMetadata().getUid();
        invalidPods.remove(uid);
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        if (nodeName != null && boundWaitingForNode.containsKey(nodeName)) {
            boundWaitingForNode.get(nodeName).remove(uid);
        }
        Tracked tracked = pods.remove(uid);
        if (sink != null && tracked != null) {
            settle(tracked, false);
        }
        PodRef ref = directory.byUid(uid);
        if (ref != null) {
            listener.podSettled(ref);
        }
        directory.forget(uid);
    }

    private void settle(Tracked tracked, boolean succeeded) {
        if (tracked.told == Told.PENDING || tracked.told == Told.BOUND) {
            sink.send(new SchedulerEvent.PodRemoved(tracked.ref.id(), succeeded));
        }
        if (tracked.told != Told.GONE) {
            listener.podSettled(tracked.ref);
        }
        tell(tracked, Told.GONE);
    }

    /** Records what the agent was told of the pod, keeping {@link #pendingMembers} in step. */
    private void tell(Tracked tracked, Told told) {
        String uid = tracked.ref.uid();
        if (tracked.told == Told.PENDING && !tracked.gangTold.isEmpty()) {
            Set<String> members = pendingMembers.get(tracked.gangTold);
            if (members != null && members.remove(uid) && members.isEmpty()) {
                pendingMembers.remove(tracked.gangTold);
            }
        }
        tracked.gangTold = "";
        tracked.told = told;
        if (told == Told.PENDING && tracked.pod != null) {
            tracked.gangTold = PodTranslator.gangKey(tracked.pod);
            if (!tracked.gangTold.isEmpty()) {
                pendingMembers.computeIfAbsent(tracked.gangTold, k -> new HashSet<>()).add(uid);
            }
        }
    }

    // ------------------------------------------------------------------ nodes

    public synchronized void onNode(Node node) {
        if (sink == null) {
            return;
        }
        NodeSpec spec;
        try {
            spec = nodeTranslator.translate(node);
        } catch (TranslationException e) {
            listener.objectInvalid(node, e.getMessage());
            return;
        }
        NodeSpec before = nodes.put(spec.name(), spec);
        if (before == null) {
            sink.send(new SchedulerEvent.NodeAdded(spec));
            Map<String, Pod> waiting = boundWaitingForNode.remove(spec.name());
            if (waiting != null) {
                for (Pod p : waiting.values()) {
                    onPod(p);
                }
            }
        } else if (!before.equals(spec)) {
            sink.send(new SchedulerEvent.NodeUpdated(spec));
        }
    }

    public synchronized void onNodeDeleted(Node node) {
        String name = node.getMetadata().getName();
        boundWaitingForNode.remove(name);
        if (sink != null && nodes.remove(name) != null) {
            sink.send(new SchedulerEvent.NodeRemoved(name));
        }
    }

    // ------------------------------------------------------------------ PodGroups

    public synchronized void onPodGroup(PodGroup group) {
        if (sink == null) {
            return;
        }
        String key = GangTranslator.key(group);
        GangSpec spec;
        try {
            spec = gangTranslator.translate(group);
        } catch (TranslationException e) {
            listener.objectInvalid(group, e.getMessage());
            if (!gangsSent.contains(key)) {
                // Never valid: its members are refused with this message until it is fixed. A group that
                // was valid keeps its last good spec, so members already with the agent stay one gang.
                invalidGangs.put(key, e.getMessage());
                withdrawPendingMembersOf(key);
                retryInvalidPodsOf(key);
            }
            return;
        }
        invalidGangs.remove(key);
        gangsSent.add(key);
        sink.send(new SchedulerEvent.GangUpdated(spec));
        retryInvalidPodsOf(key);
    }

    public synchronized void onPodGroupDeleted(PodGroup group) {
        String key = GangTranslator.key(group);
        invalidGangs.remove(key);
        if (sink != null && gangsSent.remove(key)) {
            sink.send(new SchedulerEvent.GangRemoved(key));
        }
        if (sink != null) {
            retryInvalidPodsOf(key);
        }
    }

    /**
     * Members that arrived before their PodGroup (informers deliver pods and PodGroups in no fixed order)
     * went to the agent to wait for it; when it turns out invalid they are taken back, to be refused and
     * reported like members that arrived after it.
     */
    private void withdrawPendingMembersOf(String gangKey) {
        Set<String> members = pendingMembers.get(gangKey);
        if (members == null) {
            return;
        }
        for (String uid : new ArrayList<>(members)) {
            Tracked t = pods.get(uid);
            sink.send(new SchedulerEvent.PodRemoved(t.ref.id(), false));
            tell(t, Told.NOTHING);
            t.spec = null;
            invalidPods.put(uid, t.pod);
        }
    }

    private void retryInvalidPodsOf(String gangKey) {
        List<Pod> retry = new ArrayList<>();
        for (Iterator<Pod> it = invalidPods.values().iterator(); it.hasNext(); ) {
            Pod p = it.next();
            if (gangKey.equals(PodTranslator.gangKey(p))) {
                retry.add(p);
                it.remove();
            }
        }
        for (Pod p : retry) {
            onPod(p);
        }
    }

    // ------------------------------------------------------------------ helpers

    public static boolean isBound(Pod pod) {
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return node != null && !node.isEmpty();
    }

    static boolean isFinished(Pod pod) {
        String phase = phase(pod);
        return "Succeeded".equals(phase) || "Failed".equals(phase) || pod.getMetadata().getDeletionTimestamp() != null;
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }

    /** GPUs named by the {@code gantry.io/gpu-indexes} annotation ("0,3"), or 0 when absent or unreadable. */
    static int gpuMask(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(KubeNames.GPU_INDEXES_ANNOTATION);
        if (value == null || value.isBlank()) {
            return 0;
        }
        int mask = 0;
        for (String part : value.split(",")) {
            try {
                int g = Integer.parseInt(part.trim());
                if (g < 0 || g >= 32) {
                    return 0;
                }
                mask |= 1 << g;
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return mask;
    }

    /** "0,3" for GPUs 0 and 3: the annotation value written on bind. */
    public static String gpuIndexes(int mask) {
        StringBuilder out = new StringBuilder();
        for (int bits = mask; bits != 0; bits &= bits - 1) {
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(Integer.numberOfTrailingZeros(bits));
        }
        return out.toString();
    }
}
