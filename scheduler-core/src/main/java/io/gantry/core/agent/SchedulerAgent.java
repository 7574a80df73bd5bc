package io.gantry.core.agent;

import io.gantry.core.gang.GangPlanner;
import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.outbox.Outbox;
import io.gantry.core.placement.NodeFilter;
import io.gantry.core.placement.PlacementResult;
import io.gantry.core.placement.PodPlacer;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.policy.Policies;
import io.gantry.core.policy.PolicyContext;
import io.gantry.core.policy.TaskShapeDistribution;
import io.gantry.core.policy.TieBreak;
import io.gantry.core.queue.ParkedUnits;
import io.gantry.core.queue.QueueBook;
import io.gantry.core.queue.QueuedUnit;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;
import io.gantry.core.state.UnfitCause;
import org.agrona.collections.IntArrayList;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.MessagePassingQueue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The single writer of scheduling state. Each {@link #doWork()} duty cycle reads the clock once,
 * applies at most {@code maxEventsPerCycle} intake events, handles gang timers, then schedules at most
 * {@code maxDecisionsPerCycle} units in queue order, and returns how much it did so an idle strategy
 * can back off when it returns 0.
 *
 * <p><b>Scheduling a pod:</b> queue limit check, then the workload class's {@link PodPlacer} on the
 * nodes not reserved for someone else; when placed, the placement is assumed in the state and a bind
 * goes out; when not, preemption is tried and the pod parks under its {@link ShapeClass} with a reason.
 * <b>A gang:</b> the {@link GangPlanner} places {@code minMember} members at once or nothing.
 *
 * <p><b>Requeue on events.</b> A parked unit comes back only when a node it could fit changes: freed
 * capacity, an added or updated node, its queue's quota, its gang's members. Per event, one pod per
 * shape class is tested against the node, and only as many as fit come back.
 *
 * <p><b>Services and pools.</b> Replicas of a service count against its per-node cap and spread
 * constraints in the state ({@link ClusterState#fitCause}); a replica freeing a node wakes that node's
 * waiters as any departure does, and since a replica placed or gone elsewhere can open a node that did
 * not change itself, the pods parked by a DoNotSchedule spread constraint of that service are woken too.
 * With {@link NodePools} a pod (or gang) is first decided within its class's pool, then, when nothing
 * there fits, anywhere.
 *
 * <p><b>Starvation.</b> A gang waiting longer than {@code reservationDelay} reserves nodes that could
 * hold it once their work ends; units of no higher priority stop landing there (they backfill
 * elsewhere), and the gang is placed as soon as it fits. Timing out releases the reservation.
 *
 * <p>Not thread-safe: only the agent thread calls anything but the constructor; other threads use the
 * {@link IntakeQueue}. Event handlers never throw out of the drain: a bad event is counted and
 * reported through {@link #errors()}.
 */
public final class SchedulerAgent implements Agent {
    private final SchedulerConfig config;
    private final IntakeQueue intake;
    private final Outbox outbox;
    private final NanoClock clock;
    private final ClusterState state;
    private final QueueBook queues = new QueueBook();
    private final TieBreak tieBreak;
    private final PlacementPolicy[] policies = new PlacementPolicy[WorkloadClass.values().length];
    private final PodPlacer[] placers = new PodPlacer[WorkloadClass.values().length];
    private final GangPlanner planner;
    private final Preemptor preemptor;

    private final Long2ObjectHashMap<PodRecord> pods = new Long2ObjectHashMap<>();
    private final Map<String, GangRecord> gangs = new HashMap<>();
    private final WaitingGangs waitingGangs = new WaitingGangs();
    /** A gang spec with a schedule timeout was seen: only then do the timers walk the waiting gangs. */
    private boolean anyGangTimeout;
    /** Raised whenever a node is reserved or nominated, or stops being: the gang memos compare it. */
    private long keptVersion;
    /** In time order: every protection lasts the same, so they end in the order they began. */
    private final ArrayDeque<ProtectionTimer> protectionTimers = new ArrayDeque<>();
    private final ArrayDeque<PodRecord> pool = new ArrayDeque<>();
    private final Long2ObjectHashMap<ShapeClass> shapeByHash = new Long2ObjectHashMap<>();
    private final List<ShapeClass> shapes = new ArrayList<>();

    /** Pods waiting for capacity, by shape class id, each class in queue order (priority, then arrival). */
    private final ParkedUnits waitingForCapacity = new ParkedUnits();
    /** Units over their queue's limit, by queue index. */
    private final ParkedUnits waitingForQuota = new ParkedUnits();
    /**
     * Gangs waiting: bucket 0 for room on any node one member fits, bucket 1 for members or their
     * PodGroup, bucket 2 for room counted by their member shape (also filed in that class's heap).
     */
    private final ParkedUnits parkedGangs = new ParkedUnits();
    private static final int GANG_NEEDS_ROOM = 0;
    private static final int GANG_NEEDS_MEMBERS = 1;
    private static final int GANG_NEEDS_ROOM_COUNTED = 2;
    /** Shape classes something waits on, by the GPU bucket they need: a node wakes only those that could fit it. */
    private final ShapeWakeIndex shapeIndex = new ShapeWakeIndex();
    /** Nodes whose room is offered again before the next decision: the unit it woke was decided. */
    private final IntArrayList offerAgain = new IntArrayList();
    private ShapeClass[] shapeScratch = new ShapeClass[16];
    /** GPU models registered when the shape probes were last prepared. */
    private int modelsPrepared;
    /** Highest priority of any gang ever filed by counted room: bounds who could preempt among them. */
    private int highestRoomGangPriority = Integer.MIN_VALUE;
    /** Shape classes whose room is counted (gangs waited on them once), for kept-node changes. */
    private final List<ShapeClass> roomShapes = new ArrayList<>();
    private final ShapeRoom.KeptNodes keptView = this::isKept;
    /** The kept-node version the lowest owner priorities below were computed at. */
    private long keptFloorsVersion = -1;
    private int lowestReservedOwner;
    private int lowestNominee;
    /**
     * The behaviour before the wake index, for tests that compare decisions: a node's room is offered to
     * the first parked pod found by walking every parked shape class, every gang waits for any node one
     * member fits (none is filed by counted room), and every woken unit decides in full.
     */
    private boolean wakeEverything;
    /** Pods the node is kept from that one wake-up walks past before giving up on a shape class. */
    private static final int MAX_REFUSALS_PER_WAKE = 64;
    /** How often the reason of a pod that keeps failing is recounted (its status message refreshes). */
    private static final long EXPLAIN_REFRESH_NANOS = 10_000_000_000L;
    private static final String NO_ROOM = "no node has room now";
    private static final String GANG_NO_ROOM = "not enough room for the gang now";
    /** How long a victim whose eviction was refused (PodDisruptionBudget) is not chosen again. */
    static final long REFUSED_VICTIM_PROTECTION_NANOS = 60_000_000_000L;

    /** The gang each node is reserved for against starvation, or null; it blocks work of no higher priority. */
    private QueuedUnit[] reservedFor = new QueuedUnit[64];
    /** The preemptor waiting for victims to leave each node, or null; it blocks work of lower priority only. */
    private QueuedUnit[] nominatedFor = new QueuedUnit[64];
    private QueuedUnit deciding;
    /** Entries set in reservedFor and nominatedFor together: 0 lets decisions skip the reservation filter. */
    private int keptNodes;
    private final NodeFilter reservationFilter = this::reservationCause;
    private final MessagePassingQueue.Consumer<SchedulerEvent> handler = this::onEvent;
    /** Shape classes with a DoNotSchedule spread constraint: woken when their service's replicas move. */
    private final List<ShapeClass> spreadShapes = new ArrayList<>();
    private final IntArrayList changedServices = new IntArrayList();
    /** Pool bits per workload class ordinal, 0 when the class prefers no pool. */
    private final int[] poolMaskByClass = new int[WorkloadClass.values().length];
    private PlacementRequest[] memberScratch = new PlacementRequest[16];
    private PodRecord[] memberRecords = new PodRecord[16];

    private long now;
    private long arrivals;
    private long errors;
    private String lastError = "";
    private final List<String> pendingNodeRemovals = new ArrayList<>();
    /** Gantry-placed pods (assumed or bound) per priority: lets preemption say no at once when nobody is lower. */
    private final org.agrona.collections.Int2IntHashMap placedByPriority = new org.agrona.collections.Int2IntHashMap(-1);
    /** The lowest key of {@link #placedByPriority} with a count above 0; Integer.MAX_VALUE when none. */
    private int lowestPlacedPriority = Integer.MAX_VALUE;

    private static final String FGD = "fgd";
    /** FGD without a configured task-shape distribution learns one: see {@link TaskShapeLearner}. */
    static final int LEARNING_WINDOW_ARRIVALS = 1000;
    static final long LEARNING_MIN_INTERVAL_NANOS = 60_000_000_000L;
    static final double LEARNING_MIN_CHANGE = 0.1;
    /** Null unless a class uses FGD and the config gives no task shapes. */
    private final TaskShapeLearner shapeLearner;

    public SchedulerAgent(SchedulerConfig config, IntakeQueue intake, Outbox outbox, NanoClock clock) {
        this.config = config;
        this.intake = intake;
        this.outbox = outbox;
        this.clock = clock;
        this.state = new ClusterState(64, config.seed());
        this.tieBreak = TieBreak.fixedRank(config.seed());
        for (WorkloadClass c : WorkloadClass.values()) {
            policies[c.ordinal()] = Policies.create(config.policyFor(c), new PolicyContext(config.seed(), config.taskShapes()));
            placers[c.ordinal()] = new PodPlacer(state, policies[c.ordinal()], tieBreak);
        }
        NodePools pools = config.pools();
        for (WorkloadClass c : WorkloadClass.values()) {
            String pool = pools.poolFor(c);
            poolMaskByClass[c.ordinal()] = pool.isEmpty() ? 0 : state.registerPool(pools.labelKey(), pool);
        }
        this.planner = new GangPlanner(state, tieBreak);
        this.preemptor = new Preemptor(state, queues, config);
        boolean fgd = false;
        for (WorkloadClass c : WorkloadClass.values()) {
            fgd |= FGD.equals(config.policyFor(c));
        }
        this.shapeLearner = fgd && config.taskShapes().isEmpty()
                ? new TaskShapeLearner(LEARNING_WINDOW_ARRIVALS, LEARNING_MIN_INTERVAL_NANOS, LEARNING_MIN_CHANGE) : null;
    }

    @Override
    public String roleName() {
        return "gantry-scheduler";
    }

    @Override
    public int doWork() {
        now = clock.nanoTime();
        int work = intake.drain(handler, config.maxEventsPerCycle());
        work += runGangTimers();
        work += runProtectionTimers();
        if (shapeLearner != null && shapeLearner.due(now)) {
            adoptLearnedShapes();
        }
        work += scheduleCycle(config.maxDecisionsPerCycle());
        return work;
    }

    // ------------------------------------------------------------------ events

    /** Applies one event. Public so a driver that owns the thread (the simulator) may skip the queue. */
    public void onEvent(SchedulerEvent event) {
        try {
            if (event instanceof SchedulerEvent.PodAdded e) {
                onPodAdded(e.pod());
            } else if (event instanceof SchedulerEvent.PodBound e) {
                onPodBound(e.pod(), e.nodeName(), e.gpuMask());
            } else if (event instanceof SchedulerEvent.PodRemoved e) {
                onPodRemoved(e.podId());
            } else if (event instanceof SchedulerEvent.NodeAdded e) {
                onNodeAdded(e.node());
            } else if (event instanceof SchedulerEvent.NodeUpdated e) {
                onNodeUpdated(e.node());
            } else if (event instanceof SchedulerEvent.NodeRemoved e) {
                onNodeRemoved(e.nodeName());
            } else if (event instanceof SchedulerEvent.GangUpdated e) {
                onGangUpdated(e.gang());
            } else if (event instanceof SchedulerEvent.GangRemoved e) {
                onGangRemoved(e.gangKey());
            } else if (event instanceof SchedulerEvent.QueueUpdated e) {
                onQueueUpdated(e.queue());
            } else if (event instanceof SchedulerEvent.BindSucceeded e) {
                onBindSucceeded(e.podId());
            } else if (event instanceof SchedulerEvent.BindFailed e) {
                onBindFailed(e.podId(), e.reason());
            } else if (event instanceof SchedulerEvent.EvictionRefused e) {
                onEvictionRefused(e.podId());
            }
        } catch (RuntimeException e) {
            recordError(event.toString(), e);
        }
    }

    // Direct calls for a driver that owns the agent's thread (the simulator): the same handlers the
    // intake events reach, without an event object per call.

    /** Same as a {@link SchedulerEvent.PodAdded} event. */
    public void podAdded(PodSpec spec) {
        try {
            onPodAdded(spec);
        } catch (RuntimeException e) {
            recordError("pod " + spec.name() + " added", e);
        }
    }

    /** Same as a {@link SchedulerEvent.PodRemoved} event. */
    public void podRemoved(long podId) {
        try {
            onPodRemoved(podId);
        } catch (RuntimeException e) {
            recordError("pod id " + podId + " removed", e);
        }
    }

    /** Same as a {@link SchedulerEvent.BindSucceeded} event. */
    public void bindSucceeded(long podId) {
        try {
            onBindSucceeded(podId);
        } catch (RuntimeException e) {
            recordError("bind succeeded for pod id " + podId, e);
        }
    }

    /** Runs one duty cycle's scheduling part with {@code nowNanos} as the time, without draining the intake. */
    public int schedule(long nowNanos) {
        now = nowNanos;
        return runGangTimers() + runProtectionTimers() + scheduleCycle(config.maxDecisionsPerCycle());
    }

    private void recordError(String what, RuntimeException e) {
        errors++;
        lastError = what + ": " + e.getMessage();
    }

    private void onPodAdded(PodSpec spec) {
        PodRecord existing = pods.get(spec.id());
        if (existing != null) {
            if (existing.status == PodRecord.PENDING && existing.gang == null) {
                unqueue(existing);
                if (shapeLearner != null) {
                    shapeLearner.departed(existing);
                }
                existing.spec = spec;
                existing.request = state.prepare(spec, existing.request);
                existing.shape = shapeOf(spec);
                if (shapeLearner != null) {
                    shapeLearner.rejoined(existing);
                }
                existing.lastReason = null;
                int before = existing.priority();
                existing.setPriority(spec.priority());
                afterPriorityChange(existing, before);
                queues.makeReady(existing);
            }
            return;
        }
        PodRecord pod = newRecord(spec);
        if (shapeLearner != null) {
            shapeLearner.arrived(pod);
        }
        if (spec.gang().isEmpty()) {
            queues.makeReady(pod);
            return;
        }
        GangRecord gang = gangs.computeIfAbsent(spec.gang(), GangRecord::new);
        pod.gang = gang;
        gang.members.add(pod);
        setTimedOut(gang, false);
        if (gang.isScheduled()) {
            queues.makeReady(pod);
        } else {
            refreshOrder(gang);
            requeueGang(gang);
        }
    }

    private void onPodBound(PodSpec spec, String nodeName, int gpuMask) {
        int node = state.nodeId(nodeName);
        PodRecord existing = pods.get(spec.id());
        if (existing != null && existing.isPlaced()) {
            if (existing.status != PodRecord.ASSUMED) {
                return;
            }
            if (existing.node == node) {
                onBindSucceeded(spec.id());
                return;
            }
            // Someone else bound it first (a former leader's bind, a user): our bind is bound to fail, so
            // give back our node now and count the pod where it really is. The BindFailed that follows finds
            // it no longer assumed and changes nothing.
            int ours = existing.node;
            existing.cancelRequested = false;
            releasePlacement(existing);
            maybeRemoveNode(ours);
            if (state.isLive(ours)) {
                wakeForNode(ours);
            }
        }
        if (node == ClusterState.NO_NODE) {
            throw new IllegalStateException("pod " + spec.name() + ": bound to unknown node " + nodeName);
        }
        PodRecord pod = existing;
        if (pod == null) {
            pod = newRecord(spec);
            if (!spec.gang().isEmpty()) {
                pod.gang = gangs.computeIfAbsent(spec.gang(), GangRecord::new);
                pod.gang.members.add(pod);
            }
        } else {
            unqueue(pod);
        }
        int touched = pod.request.gpus() > 0 ? pod.request.gpus() : (pod.request.gpuMilli() > 0 ? 1 : 0);
        if (Integer.bitCount(gpuMask) != touched) {
            // The binder did not say which GPUs (another scheduler bound it, or the annotation is missing):
            // count it on the lowest GPUs with room, as the device plugin would allocate.
            gpuMask = touched == 0 ? 0 : state.lowestFittingGpus(pod.request, node);
        }
        state.assume(pod.request, node, gpuMask);
        pod.status = PodRecord.EXTERNAL;
        pod.node = node;
        pod.gpuMask = gpuMask;
        queues.addHeld(pod.queue(), pod.request.totalGpuMilli(), pod.request.cpuMilli());
        if (pod.gang != null) {
            pod.gang.placed++;
            if (pod.gang.isScheduled()) {
                pod.gang.scheduledOnce = true;
                unparkGang(pod.gang);
                queues.removeReady(pod.gang);
                releaseMembersAsPods(pod.gang);
            }
        }
    }

    private void onPodRemoved(long podId) {
        PodRecord pod = pods.remove(podId);
        if (pod == null) {
            return;
        }
        if (shapeLearner != null) {
            shapeLearner.departed(pod);
        }
        unqueue(pod);
        if (pod.isPlaced()) {
            int node = pod.node;
            releasePlacement(pod);
            maybeRemoveNode(node);
            if (state.isLive(node)) {
                wakeForNode(node);
            }
        }
        GangRecord gang = pod.gang;
        if (gang != null) {
            gang.members.remove(pod);
            if (gang.members.isEmpty() && gang.spec == null) {
                unparkGang(gang);
                queues.removeReady(gang);
                gangs.remove(gang.key);
            } else if (!gang.isScheduled()) {
                // fell below minMember (evicted, failed or finished members do not count): members queued
                // as single pods go back into the gang, which is planned as a whole again
                for (PodRecord m : gang.members) {
                    if (m.status == PodRecord.PENDING) {
                        unqueue(m);
                    }
                }
                refreshOrder(gang);
                if (gang.pendingMembers() > 0) {
                    requeueGang(gang);
                }
            }
        }
        if (pod.nominated) {
            clearReservationsOf(pod);
        }
        dropClaim(pod);
        recycle(pod);
    }

    private void onNodeAdded(NodeSpec spec) {
        int node = state.addNode(spec);
        ensureNodes(state.nodeSlots());
        updateCapacity();
        refreshProbes();
        wakeForNode(node);
    }

    private void onNodeUpdated(NodeSpec spec) {
        int node = state.nodeId(spec.name());
        if (node == ClusterState.NO_NODE) {
            onNodeAdded(spec);
            return;
        }
        state.updateNode(node, spec);
        updateCapacity();
        refreshProbes();
        wakeForNode(node);
    }

    private void onNodeRemoved(String name) {
        int node = state.nodeId(name);
        if (node == ClusterState.NO_NODE) {
            return;
        }
        if (state.podsOnNode(node) > 0) {
            // its pods are being deleted; stop placing here and remove it when the last one goes
            state.updateNode(node, state.node(node).withSchedulable(false));
            pendingNodeRemovals.add(name);
            return;
        }
        setReserved(node, null);
        setNominated(node, null);
        state.removeNode(node);
        updateCapacity();
    }

    private void maybeRemoveNode(int node) {
        if (!pendingNodeRemovals.isEmpty() && state.isLive(node) && state.podsOnNode(node) == 0
                && pendingNodeRemovals.remove(state.nodeName(node))) {
            setReserved(node, null);
            setNominated(node, null);
            state.removeNode(node);
            updateCapacity();
        }
    }

    private void onGangUpdated(GangSpec spec) {
        GangRecord gang = gangs.computeIfAbsent(spec.key(), GangRecord::new);
        gang.spec = spec;
        anyGangTimeout |= spec.scheduleTimeoutNanos() > 0;
        setTimedOut(gang, false);
        if (gang.isScheduled()) {
            releaseMembersAsPods(gang);
        } else if (!gang.members.isEmpty()) {
            refreshOrder(gang);
            requeueGang(gang);
        }
    }

    private void onGangRemoved(String key) {
        GangRecord gang = gangs.get(key);
        if (gang == null) {
            return;
        }
        gang.spec = null;
        releaseReservation(gang);
        waitingGangs.remove(gang);
        if (gang.members.isEmpty()) {
            unparkGang(gang);
            queues.removeReady(gang);
            gangs.remove(key);
        } else {
            requeueGang(gang);
        }
    }

    private void onQueueUpdated(io.gantry.core.queue.QueueSpec spec) {
        int q = queues.configure(spec);
        wakeQueue(q);
        // a larger guarantee may let parked work reclaim borrowed capacity
        for (ShapeClass shape : shapes) {
            for (QueuedUnit u = waitingForCapacity.first(shape.id); u != null; ) {
                QueuedUnit next = ParkedUnits.next(u);
                if (u.queue() == q) {
                    wakePod((PodRecord) u);
                }
                u = next;
            }
        }
        for (int bucket : new int[] {GANG_NEEDS_ROOM, GANG_NEEDS_ROOM_COUNTED}) { // cold path
            for (QueuedUnit g = parkedGangs.first(bucket); g != null; ) {
                QueuedUnit next = ParkedUnits.next(g);
                if (g.queue() == q) {
                    unparkGang(g);
                    queues.makeReady(g);
                }
                g = next;
            }
        }
    }

    private void onBindSucceeded(long podId) {
        PodRecord pod = pods.get(podId);
        if (pod != null && pod.status == PodRecord.ASSUMED) {
            pod.status = PodRecord.BOUND;
            if (pod.cancelRequested) {
                pod.cancelRequested = false;
                settleGang(pod.gang);
            }
        }
    }

    /**
     * A victim's eviction was refused: it keeps running and holding its resources, is protected from
     * preemption for {@link #REFUSED_VICTIM_PROTECTION_NANOS}, and its preemptor gives up the nodes kept
     * for it and is scheduled again, so it either fits elsewhere or preempts other victims.
     */
    private void onEvictionRefused(long podId) {
        PodRecord victim = pods.get(podId);
        if (victim == null || !victim.evicting || victim.victimReleased || !victim.isPlaced()) {
            return;
        }
        victim.evicting = false;
        victim.protectedUntil = now + REFUSED_VICTIM_PROTECTION_NANOS;
        queues.addLeaving(victim.queue(), -victim.request.totalGpuMilli());
        QueuedUnit preemptor = victim.preemptor != null ? victim.preemptor : victim.gangPreemptor;
        if (victim.preemptor != null && victim.preemptor.victimsPending > 0) {
            victim.preemptor.victimsPending--;
        }
        if (victim.gangPreemptor != null && victim.gangPreemptor.victimsPending > 0) {
            victim.gangPreemptor.victimsPending--;
        }
        victim.preemptor = null;
        victim.gangPreemptor = null;
        if (preemptor == null) {
            return;
        }
        dropClaim(preemptor);
        clearReservationsOf(preemptor);
        protectionTimers.addLast(new ProtectionTimer(victim.protectedUntil, preemptor));
        if (preemptor instanceof PodRecord p && p.status == PodRecord.PENDING && !p.evicting) {
            unqueue(p);
            p.lastReason = null;
            queues.makeReady(p);
        } else if (preemptor instanceof GangRecord g && !g.isScheduled()) {
            requeueGang(g);
        }
    }

    private void onBindFailed(long podId, String reason) {
        PodRecord pod = pods.get(podId);
        if (pod == null || pod.status != PodRecord.ASSUMED) {
            return;
        }
        int node = pod.node;
        boolean withdrawn = pod.cancelRequested;
        pod.cancelRequested = false;
        releasePlacement(pod);
        maybeRemoveNode(node);
        pod.lastReason = null;
        if (!withdrawn) {
            outbox.unschedulable(pod.spec, "binding to node " + nodeNameOrId(node) + " failed: " + reason);
        }
        GangRecord gang = pod.gang;
        if (pod.evicting) {
            // evicted while its bind was in flight: it is being deleted, so it waits for its removal
        } else if (gang != null && gang.spec != null && gang.placedKept() < gang.minMember()) {
            // Below minMember: withdraw the siblings' binds still in flight (never bind them twice), take
            // back members queued as single pods, and plan the gang again once every result is in.
            for (PodRecord m : gang.members) {
                if (m.status == PodRecord.ASSUMED && !m.cancelRequested) {
                    m.cancelRequested = true;
                    outbox.cancelBind(m.spec);
                } else if (m.status == PodRecord.PENDING) {
                    unqueue(m);
                }
            }
            requeueGang(gang);
        } else {
            queues.makeReady(pod);
        }
        if (state.isLive(node)) {
            wakeForNode(node);
        }
    }

    /** A withdrawn sibling's result came in: when none is left in flight, the gang may be planned again. */
    private void settleGang(GangRecord gang) {
        if (gang != null && !gang.isScheduled() && bindsInFlightWithdrawn(gang) == 0) {
            requeueGang(gang);
        }
    }

    private static int bindsInFlightWithdrawn(GangRecord gang) {
        int n = 0;
        for (PodRecord m : gang.members) {
            n += m.cancelRequested ? 1 : 0;
        }
        return n;
    }

    private String nodeNameOrId(int node) {
        return state.isLive(node) ? state.nodeName(node) : "id " + node;
    }

    // ------------------------------------------------------------------ scheduling

    private int scheduleCycle(int budget) {
        int decisions = 0;
        while (decisions < budget) {
            if (state.anyServiceChanged()) {
                wakeSpreadWaiters();
            }
            offerRoomAgain();
            QueuedUnit unit = queues.pollNext();
            if (unit == null) {
                break;
            }
            if (unit instanceof PodRecord pod) {
                decisions++;
                // a woken pod stays a waiter of its class through its decision, so fit knowledge survives it
                ShapeClass woken = pod.wokenUndecided ? pod.shape : null;
                pod.wokenUndecided = false;
                schedulePod(pod);
                if (woken != null) {
                    removeWaiter(woken);
                }
                continueOffer(pod);
            } else {
                GangRecord gang = (GangRecord) unit;
                decisions += scheduleGang(gang);
                continueOffer(gang);
            }
        }
        return decisions;
    }

    private void schedulePod(PodRecord pod) {
        if (pod.status != PodRecord.PENDING || pod.evicting) {
            return; // placed meanwhile as part of its gang, or being deleted
        }
        if (pod.gang != null && !pod.gang.isScheduled()) {
            // queued alone while its gang had minMember placed, which it no longer has (a member was chosen
            // as a victim, or failed or left since): it goes with its gang, planned as a whole
            requeueGang(pod.gang);
            return;
        }
        if (queues.wouldExceedLimit(pod.queue(), pod.request.totalGpuMilli())) {
            waitingForQuota.park(pod, pod.queue());
            report(pod, "queue " + queues.spec(pod.queue()).name() + " is at its limit of "
                    + queues.spec(pod.queue()).limitGpuMilli() + " milli-GPU (holds " + queues.gpuHeld(pod.queue()) + ")");
            return;
        }
        ShapeClass shape = pod.shape;
        PlacementResult result = null;
        if (knownToFitNowhere(pod)) {
            shape.knowUnfit(pod.priority()); // checked just now: the noted nodes are spent
        } else {
            deciding = pod;
            NodeFilter filter = keptNodes == 0 ? NodeFilter.ALL : reservationFilter;
            int pool = poolMaskByClass[pod.spec.workloadClass().ordinal()];
            if (pool != 0) {
                pod.request.restrictToPools(pool);
                result = placerFor(pod).decide(pod.request, filter);
                pod.request.restrictToPools(0);
                if (!result.isPlaced()) {
                    result = placerFor(pod).decide(pod.request, filter); // the pool is full: overflow anywhere
                }
            } else {
                result = placerFor(pod).decide(pod.request, filter);
            }
            if (result.isPlaced()) {
                deciding = null;
                if (pod.nominated) {
                    clearReservationsOf(pod);
                }
                commit(pod, result.node(), result.gpuMask());
                return;
            }
            if (passesOnlyPriorityFilters(pod)) {
                shape.knowUnfit(pod.priority());
            }
        }
        // Counting the causes costs a pass over the node classes, and pods of one shape class fail for the
        // same reasons: the count is shared by the class and refreshed at most every EXPLAIN_REFRESH_NANOS.
        if (!outbox.wantsReasons()) {
            shape.reason = NO_ROOM;
        } else if (reasonIsStale(shape)) {
            shape.reason = result.reason();
            shape.explainedAt = now;
        }
        String reason = shape.reason;
        deciding = null;
        if (pod.victimsPending == 0 && config.preemption() && preemptor.tryPreempt(pod, this)) {
            claim(pod, pod.request.totalGpuMilli());
            reason = "waiting for " + pod.victimsPending + " lower-priority pod(s) to be evicted; "
                    + (result != null ? result.reason() : shape.reason);
        }
        waitingForCapacity.parkInOrder(pod, pod.shape.id);
        addWaiter(pod.shape);
        report(pod, reason);
    }

    private boolean reasonIsStale(ShapeClass shape) {
        return shape.reason == null || now - shape.explainedAt >= EXPLAIN_REFRESH_NANOS;
    }

    /**
     * Whether the kept-node filter treats {@code pod} by its priority alone (not a gang member, not a
     * nominee): then a failure of one such pod of a class holds for every such pod of no higher priority.
     */
    private static boolean passesOnlyPriorityFilters(PodRecord pod) {
        return pod.gang == null && !pod.nominated;
    }

    /**
     * Whether a full decision for {@code pod} would surely say "no room", from what its shape class
     * knows: no node fit the class at its last full decision (for this priority or a higher one), and
     * none of the nodes that gained room for it since fits this pod now. Every gain of room calls
     * {@link #wakeForNode}, which notes the node in each filed class that fits there, so no other node
     * can fit. Only used when failing fast changes nothing else: no preemption could start, and the
     * class's reason (if the outbox reads reasons) is fresh.
     */
    private boolean knownToFitNowhere(PodRecord pod) {
        ShapeClass shape = pod.shape;
        if (wakeEverything || !shape.unfitKnown || pod.priority() > shape.unfitPriority || !passesOnlyPriorityFilters(pod)
                || pod.request.hasHardSpread()) {
            return false;
        }
        if (outbox.wantsReasons() && reasonIsStale(shape)) {
            return false;
        }
        if (pod.victimsPending == 0 && config.preemption() && preemptor.mayFindVictims(pod, pod.request.totalGpuMilli(), this)) {
            return false;
        }
        for (int i = 0; i < shape.nodesNotedCount; i++) {
            int node = shape.nodesNoted[i];
            if (state.isLive(node) && state.fits(pod.request, node) && reservationCause(node, pod) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Plans the gang, or parks it. Returns the decisions it cost: the members it tried to place, so a
     * 256-pod gang uses 256 of the cycle's budget and the agent reads its intake again before planning
     * another big gang (a pod that arrives meanwhile waits for at most one plan, not for a backlog of them).
     */
    private int scheduleGang(GangRecord gang) {
        if (gang.spec == null) {
            parkedGangs.park(gang, GANG_NEEDS_MEMBERS);
            reportGang(gang, "gang " + gang.key + ": its PodGroup does not exist (yet)");
            return 1;
        }
        int withdrawing = bindsInFlightWithdrawn(gang);
        if (withdrawing > 0) {
            parkedGangs.park(gang, GANG_NEEDS_MEMBERS);
            reportGang(gang, "gang " + gang.key + ": a member's bind failed; waiting for " + withdrawing
                    + " withdrawn bind(s) to settle before planning again");
            return 1;
        }
        int need = gang.spec.minMember() - gang.placedKept();
        int count = collectPendingMembers(gang);
        if (count < need) {
            parkedGangs.park(gang, GANG_NEEDS_MEMBERS);
            waitingGangs.remove(gang);
            gang.waitingSince = -1;
            reportGang(gang, "gang " + gang.key + ": waiting for members, " + (gang.placedKept() + count) + " of minMember "
                    + gang.spec.minMember() + " exist");
            return 1;
        }
        long gpuNeed = 0;
        for (int i = 0; i < need; i++) {
            gpuNeed += memberScratch[i].totalGpuMilli();
        }
        if (queues.wouldExceedLimit(gang.queue(), gpuNeed)) {
            waitingForQuota.park(gang, gang.queue());
            reportGang(gang, "gang " + gang.key + ": queue " + queues.spec(gang.queue()).name() + " is at its limit");
            return 1;
        }
        PlacementPolicy policy = policies[memberRecords[0].spec.workloadClass().ordinal()];
        deciding = gang;
        NodeFilter filter = keptNodes == 0 ? NodeFilter.ALL : reservationFilter;
        int pool = poolMaskByClass[memberRecords[0].spec.workloadClass().ordinal()];
        boolean placed = false;
        ShapeClass memo = pool == 0 ? gangMemoShape(gang, count, need) : null;
        int roomFound;
        if (memo != null && memo.gangMemoChanges[need] == state.changeCount() && memo.gangMemoKept[need] == keptVersion
                && memo.gangMemoPriority[need] == gang.priority()) {
            roomFound = memo.gangMemoRoom[need]; // a plan now would find exactly this room, and fail
        } else {
            if (pool != 0) {
                restrictMembers(count, pool);
                placed = planner.plan(memberScratch, count, need, gang.spec, policy, filter);
                restrictMembers(count, 0);
            }
            if (!placed) {
                placed = planner.plan(memberScratch, count, need, gang.spec, policy, filter);
            }
            roomFound = placed ? need : planner.bestPlaced();
            if (!placed && memo != null) {
                memo.gangMemoChanges[need] = state.changeCount();
                memo.gangMemoKept[need] = keptVersion;
                memo.gangMemoRoom[need] = roomFound;
                memo.gangMemoPriority[need] = gang.priority();
            }
        }
        deciding = null;
        if (placed) {
            commitPlan(gang);
            return count;
        }
        String reason = outbox.wantsReasons() ? planner.failure() : GANG_NO_ROOM;
        if (gang.victimsPending == 0 && config.preemption() && preemptor.tryPreemptGang(gang, memberScratch, count, need, policy, this)) {
            claim(gang, gang.gpuMilliAsked());
            reason = "waiting for " + gang.victimsPending + " lower-priority pod(s) to be evicted; " + reason;
        }
        if (gang.waitingSince < 0) {
            gang.waitingSince = now;
            waitingGangs.add(gang);
        }
        parkForRoom(gang, need, count, roomFound);
        reportGang(gang, reason);
        return count;
    }

    /**
     * The member shape class whose memo of failed plans may stand in for planning {@code gang}: the
     * gang has no topology, no preemption in flight and no kept node of its own, its pending members
     * are all of one class without service rules (and the class's current model mask), and the outbox
     * does not read reasons. Then its plan fails exactly when the room summed over the nodes it may use
     * is below {@code need}, and that room is a function of the cluster state, the kept nodes, the class,
     * the need and the gang's priority: with none of them changed since a failed plan, a plan would find
     * the same room and fail the same way. Null otherwise.
     */
    private ShapeClass gangMemoShape(GangRecord gang, int count, int need) {
        if (wakeEverything || outbox.wantsReasons() || gang.victimsPending != 0 || gang.keptNodes != 0
                || gang.spec.topology() != TopologyLevel.NONE || need >= ShapeClass.GANG_MEMO_NEEDS || need < 1) {
            return null;
        }
        ShapeClass shape = memberRecords[0].shape;
        if (shape.probe.hasServiceRules()) {
            return null;
        }
        if (memberScratch[0].modelMask() != shape.probe.modelMask()) {
            return null;
        }
        for (int i = 1; i < count; i++) {
            // one class: the same GPU model names, so the same mask (model ids are interned, never reassigned)
            if (memberRecords[i].shape != shape) {
                return null;
            }
        }
        return shape;
    }

    /**
     * Parks a gang whose plan failed. A gang without topology whose pending members are all of one
     * shape class without service rules needs {@code need} copies of that shape, and its plan succeeds
     * exactly when the copies summed over the nodes it may use reach {@code need} (what the planner's one
     * pass counts). That sum is kept by the class's {@link ShapeRoom}, split by whether nodes are kept, and
     * grows only where {@link #wakeForNode} runs: the gang sleeps in the class's heap until the room it may
     * use reaches its need, instead of being planned again on every departure. A gang that owns kept nodes
     * or that some owner does not keep out compares its need with all the room, the others with the room
     * on nodes nobody keeps. Other gangs wait for any node one member fits.
     */
    private void parkForRoom(GangRecord gang, int need, int count, int roomFound) {
        ShapeClass shape = null;
        if (!wakeEverything && gang.victimsPending == 0 && gang.spec.topology() == TopologyLevel.NONE
                && roomFound < need) {
            shape = memberRecords[0].shape;
            for (int i = 1; i < count && shape != null; i++) {
                if (memberRecords[i].shape != shape) {
                    shape = null;
                }
            }
        }
        if (shape != null && !shape.probe.hasServiceRules()) {
            boolean mayUseKept = gang.keptNodes > 0 || keptNodesMayAdmit(gang.priority());
            if (shape.room == null) {
                roomShapes.add(shape);
            }
            ShapeRoom room = shape.room();
            room.catchUp(state, keptView);
            if ((mayUseKept ? room.all() : room.unkept()) < need) {
                parkedGangs.park(gang, GANG_NEEDS_ROOM_COUNTED);
                gang.roomNeed = need;
                addWaiter(shape);
                shape.addGang(gang, mayUseKept);
                highestRoomGangPriority = Math.max(highestRoomGangPriority, gang.priority());
                return;
            }
            // the count says room enough while the plan failed (an owner keeps part of it from the gang):
            // wait for any node a member fits, as gangs of mixed shapes do
        }
        parkedGangs.park(gang, GANG_NEEDS_ROOM);
    }

    /**
     * Whether some kept node may let in a gang of {@code priority} that owns none: a node reserved for a
     * unit of lower priority, or nominated for one of no higher priority. O(1) while nothing is kept,
     * else O(nodes) once per change of the kept nodes.
     */
    private boolean keptNodesMayAdmit(int priority) {
        if (keptNodes == 0) {
            return false;
        }
        if (keptFloorsVersion != keptVersion) {
            lowestReservedOwner = Integer.MAX_VALUE;
            lowestNominee = Integer.MAX_VALUE;
            for (int node = 0; node < state.nodeSlots(); node++) {
                if (reservedFor[node] != null) {
                    lowestReservedOwner = Math.min(lowestReservedOwner, reservedFor[node].priority());
                }
                if (nominatedFor[node] != null) {
                    lowestNominee = Math.min(lowestNominee, nominatedFor[node].priority());
                }
            }
            keptFloorsVersion = keptVersion;
        }
        return priority > lowestReservedOwner || priority >= lowestNominee;
    }

    private boolean isKept(int node) {
        return reservedFor[node] != null || nominatedFor[node] != null;
    }

    /**
     * {@code node} became kept for {@code owner}, or free (owner null): the room counts move the node,
     * and a gang counting only unkept room that may now use the node counts all room from then on.
     */
    private void keptChanged(int node, QueuedUnit owner) {
        for (int i = 0; i < roomShapes.size(); i++) {
            roomShapes.get(i).room.keptChanged(state, node, isKept(node));
        }
        if (owner == null || parkedGangs.count(GANG_NEEDS_ROOM_COUNTED) == 0) {
            return;
        }
        if (owner instanceof GangRecord g && g.roomShape != null && !g.roomMayUseKept) {
            ShapeClass shape = g.roomShape;
            shape.removeGang(g);
            shape.addGang(g, true);
        }
        if (owner.priority() <= highestRoomGangPriority) {
            // a waiting gang may pass this owner (cold: owners are rarely of lower priority than waiting gangs)
            for (ShapeClass shape : roomShapes) {
                shape.letAllGangsUseKeptRoom();
            }
        }
    }

    private void restrictMembers(int count, int poolMask) {
        for (int i = 0; i < count; i++) {
            memberScratch[i].restrictToPools(poolMask);
        }
    }

    /**
     * Wakes the pods parked under a DoNotSchedule spread constraint of a service whose replicas moved: a
     * replica placed in the emptiest domain raises the minimum and opens every other domain's nodes,
     * and one leaving lowers its domain's skew on nodes that did not change. Other services' changes
     * only clear the list. O(changed services x spread shape classes).
     */
    private void wakeSpreadWaiters() {
        state.drainChangedServices(changedServices);
        if (spreadShapes.isEmpty()) {
            return;
        }
        for (int i = 0; i < changedServices.size(); i++) {
            int service = changedServices.getInt(i);
            for (int k = 0; k < spreadShapes.size(); k++) {
                ShapeClass shape = spreadShapes.get(k);
                if (shape.probe.serviceId() != service) {
                    continue;
                }
                for (QueuedUnit u = waitingForCapacity.first(shape.id); u != null; ) {
                    QueuedUnit next = ParkedUnits.next(u);
                    wakePod((PodRecord) u);
                    u = next;
                }
            }
        }
    }

    /** Fills {@link #memberScratch} with the gang's pending members, earliest first; returns the count. */
    private int collectPendingMembers(GangRecord gang) {
        int n = 0;
        for (PodRecord m : gang.members) {
            if (m.status == PodRecord.PENDING && !m.evicting) {
                if (n == memberScratch.length) {
                    memberScratch = java.util.Arrays.copyOf(memberScratch, n * 2);
                    memberRecords = java.util.Arrays.copyOf(memberRecords, n * 2);
                }
                memberScratch[n] = m.request;
                memberRecords[n] = m;
                n++;
            }
        }
        return n;
    }

    private void commitPlan(GangRecord gang) {
        for (int i = 0; i < planner.placed(); i++) {
            PodRecord member = pods.get(planner.member(i).id());
            unqueue(member); // a member queued as a single pod (the gang had been scheduled before) leaves that queue
            member.status = PodRecord.ASSUMED;
            countPlaced(member.priority(), 1);
            member.node = planner.nodeOf(i);
            member.gpuMask = planner.gpusOf(i);
            member.lastReason = null;
            gang.placed++;
            queues.addHeld(member.queue(), member.request.totalGpuMilli(), member.request.cpuMilli());
        }
        // bindings go out after the state is complete, so a fast bind result finds the whole gang assumed
        for (int i = 0; i < planner.placed(); i++) {
            PodRecord member = pods.get(planner.member(i).id());
            outbox.bind(member.spec, state.nodeName(member.node), member.gpuMask);
        }
        planner.clear();
        dropClaim(gang);
        releaseReservation(gang);
        waitingGangs.remove(gang);
        gang.waitingSince = -1;
        gang.victimsPending = 0;
        gang.lastReason = null;
        gang.scheduledOnce = true;
        outbox.gangStatus(gang.key, Outbox.GangPhase.SCHEDULED, gang.placed, gang.spec.minMember(), "");
        releaseMembersAsPods(gang);
    }

    /** After the gang is scheduled, its remaining members are scheduled one by one. */
    private void releaseMembersAsPods(GangRecord gang) {
        for (PodRecord m : gang.members) {
            if (m.status == PodRecord.PENDING && m.where() == QueuedUnit.IDLE && !m.evicting) {
                queues.makeReady(m);
            }
        }
    }

    private void commit(PodRecord pod, int node, int gpuMask) {
        dropClaim(pod);
        pod.victimsPending = 0;
        state.assume(pod.request, node, gpuMask);
        pod.status = PodRecord.ASSUMED;
        countPlaced(pod.priority(), 1);
        pod.node = node;
        pod.gpuMask = gpuMask;
        pod.lastReason = null;
        queues.addHeld(pod.queue(), pod.request.totalGpuMilli(), pod.request.cpuMilli());
        if (pod.gang != null) {
            pod.gang.placed++;
        }
        outbox.bind(pod.spec, state.nodeName(node), gpuMask);
    }

    private void releasePlacement(PodRecord pod) {
        finishVictim(pod);
        if (pod.status != PodRecord.EXTERNAL) {
            countPlaced(pod.priority(), -1);
        }
        state.release(pod.id());
        queues.addHeld(pod.queue(), -pod.request.totalGpuMilli(), -pod.request.cpuMilli());
        if (pod.gang != null) {
            pod.gang.placed--;
        }
        pod.status = PodRecord.PENDING;
        pod.node = ClusterState.NO_NODE;
        pod.gpuMask = 0;
        wakeQueue(pod.queue());
    }

    // ------------------------------------------------------------------ requeue on events

    /**
     * Moves back the parked units that {@code node}, as it is now, could help: first the unit the node is
     * kept for; then the first parked pod and gang filed by room, in queue order, that it could help (see
     * {@link #offerRoom}); and the gangs one of whose members fits there. Only the classes the
     * {@link ShapeWakeIndex} lists for the node's free GPUs and model are tested, each once, and each
     * notes the node (see {@link #knownToFitNowhere}).
     */
    private void wakeForNode(int node) {
        wakeOwner(nominatedFor[node]);
        wakeOwner(reservedFor[node]);
        offerRoom(node, true);
        wakeGangsOneMemberFits(node, GANG_NEEDS_ROOM);
        if (roomGangsMayPreempt()) {
            // a failed plan may start a preemption: plan them on every fitting change, as other gangs
            wakeGangsOneMemberFits(node, GANG_NEEDS_ROOM_COUNTED);
        }
    }

    /**
     * Offers the room on {@code node} to the parked units it could help, in queue order (priority, fair
     * share, arrival): wakes the first parked pod that fits the node and that the node is not kept from,
     * and, when it goes before that pod, the first gang filed by room ({@link #parkForRoom}) of a member
     * shape that fits the node whose need is within the room its shape has now. A woken unit remembers the
     * node, so that once it is decided (placed, here or elsewhere, or failed because an earlier unit took
     * the room) the node is offered again ({@link #continueOffer}), until no parked unit could use it. So
     * room goes to the units that have waited longest, and a departure wakes about as many units as it
     * makes room for instead of every pod and gang it could help. With {@code roomGained} the node gained
     * room just now, and each listed class notes it.
     */
    private void offerRoom(int node, boolean roomGained) {
        PodRecord pod = null;
        GangRecord gang = null;
        if (wakeEverything) {
            for (int i = waitingForCapacity.nonEmptyBuckets() - 1; i >= 0; i--) {
                int bucket = waitingForCapacity.nonEmptyBucket(i);
                PodRecord head = offerRefused(shapes.get(bucket), node) ? null : firstAdmitted(bucket, node);
                if (head != null && state.fits(head.request, node) && (pod == null || queues.goesBefore(head, pod))) {
                    pod = head;
                }
            }
        } else {
            if (shapeScratch.length < shapeIndex.size()) {
                shapeScratch = new ShapeClass[Math.max(shapeIndex.size(), shapeScratch.length * 2)];
            }
            int listed = shapeIndex.collect(state, node, shapeScratch);
            for (int i = 0; i < listed; i++) {
                ShapeClass shape = shapeScratch[i];
                shapeScratch[i] = null;
                if (!state.fits(shape.probe, node)) {
                    continue;
                }
                if (roomGained) {
                    shape.noteNode(node);
                }
                PodRecord head = offerRefused(shape, node) ? null : firstAdmitted(shape.id, node);
                if (head != null && (pod == null || queues.goesBefore(head, pod))) {
                    pod = head;
                }
                if (shape.gangsWaiting() > 0) {
                    ShapeRoom room = shape.room;
                    room.catchUp(state, keptView);
                    GangRecord first = shape.firstGangWithin(room.unkept(), room.all(), queues);
                    if (first != null && (gang == null || queues.goesBefore(first, gang))) {
                        gang = first;
                    }
                }
            }
        }
        if (pod != null) {
            wakePod(pod);
            pod.wokenFor = node;
        }
        if (gang != null && (pod == null || queues.goesBefore(gang, pod))) {
            // a gang after the pod waits for the offer that follows the pod's decision
            unparkGang(gang);
            queues.makeReady(gang);
            gang.wokenFor = node;
        }
    }

    /** The first pod parked for capacity in class {@code shapeId} that {@code node} is not kept from, or null. */
    private PodRecord firstAdmitted(int shapeId, int node) {
        int refusals = 0;
        for (QueuedUnit u = waitingForCapacity.first(shapeId); u != null && refusals < MAX_REFUSALS_PER_WAKE; u = ParkedUnits.next(u)) {
            if (reservationCause(node, u) == null) {
                return (PodRecord) u;
            }
            refusals++;
        }
        return null;
    }

    /** {@code pod} was decided or taken out while woken: offer the node that woke it again, before the next decision. */
    private void continueOffer(PodRecord pod) {
        int node = pod.wokenFor;
        if (node == ClusterState.NO_NODE) {
            return;
        }
        pod.wokenFor = ClusterState.NO_NODE;
        offerAgain.addInt(node);
        if (pod.isParkedIn(waitingForCapacity) && state.isLive(node) && state.fits(pod.shape.probe, node)) {
            pod.shape.offerRefusedNode = node;
            pod.shape.offerRefusedChange = state.changeCount();
        }
    }

    /** Whether {@code node}'s room was just refused by a pod of {@code shape} (see {@link ShapeClass#offerRefusedNode}). */
    private boolean offerRefused(ShapeClass shape, int node) {
        return shape.offerRefusedNode == node && shape.offerRefusedChange == state.changeCount();
    }

    private void continueOffer(GangRecord gang) {
        if (gang.wokenFor != ClusterState.NO_NODE) {
            offerAgain.addInt(gang.wokenFor);
            gang.wokenFor = ClusterState.NO_NODE;
        }
    }

    private void offerRoomAgain() {
        for (int i = 0; i < offerAgain.size(); i++) {
            int node = offerAgain.getInt(i);
            if (state.isLive(node)) {
                offerRoom(node, false);
            }
        }
        offerAgain.clear();
    }

    /** Parked for capacity to ready; it stays a waiter of its class until decided. */
    private void wakePod(PodRecord pod) {
        waitingForCapacity.unpark(pod);
        pod.wokenUndecided = true;
        queues.makeReady(pod);
    }

    private void wakeGangsOneMemberFits(int node, int bucket) {
        for (QueuedUnit g = parkedGangs.first(bucket); g != null; ) {
            QueuedUnit next = ParkedUnits.next(g);
            GangRecord gang = (GangRecord) g;
            PodRecord member = firstPending(gang);
            if (member != null && reservationCause(node, gang) == null && state.fits(member.request, node)) {
                unparkGang(gang);
                queues.makeReady(gang);
            }
            g = next;
        }
    }

    /**
     * Whether a gang filed by counted room could start a preemption if planned now (then it is woken like
     * other gangs, as a failed plan is where preemption is tried). Conservative: lower-priority work
     * placed than the highest such gang ever, or another queue borrowing.
     */
    private boolean roomGangsMayPreempt() {
        if (!config.preemption() || parkedGangs.count(GANG_NEEDS_ROOM_COUNTED) == 0) {
            return false;
        }
        return (queues.size() > 1 && queues.anyBorrowingExcept(-1)) || hasPlacedBelow(highestRoomGangPriority);
    }

    private void refreshOrder(GangRecord gang) {
        int before = gang.priority();
        if (gang.isReady()) {
            // the ready heap keeps the keys (and the queue) it was given: take the gang out and in again
            queues.removeReady(gang);
            gang.refreshOrder();
            queues.makeReady(gang);
        } else {
            gang.refreshOrder();
        }
        waitingGangs.orderChanged(gang);
        if (gang.roomShape != null) {
            // its heap is in queue order, and with a higher priority a kept node may let it in
            ShapeClass shape = gang.roomShape;
            boolean mayUseKept = gang.roomMayUseKept || keptNodesMayAdmit(gang.priority());
            shape.removeGang(gang);
            shape.addGang(gang, mayUseKept);
            highestRoomGangPriority = Math.max(highestRoomGangPriority, gang.priority());
        }
        afterPriorityChange(gang, before);
    }

    /**
     * Kept nodes turn units away by their owner's priority, so when an owner's priority changes a node
     * may open to others with no wake-up: what the shape classes know and the gangs' room counts no
     * longer hold. Those gangs go back to waiting for any node one member fits. Cold: owners rarely
     * change priority.
     */
    private void afterPriorityChange(QueuedUnit unit, int before) {
        if (unit.priority() == before || keptNodes == 0 || !ownsKeptNode(unit)) {
            return;
        }
        keptFloorsVersion = -1; // an owner's priority is part of them
        for (ShapeClass shape : shapes) {
            shape.forgetUnfit();
            shape.forgetGangMemo();
        }
        for (QueuedUnit g = parkedGangs.first(GANG_NEEDS_ROOM_COUNTED); g != null; ) {
            QueuedUnit next = ParkedUnits.next(g);
            unparkGang(g);
            parkedGangs.park(g, GANG_NEEDS_ROOM);
            g = next;
        }
    }

    private boolean ownsKeptNode(QueuedUnit unit) {
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (reservedFor[node] == unit || nominatedFor[node] == unit) {
                return true;
            }
        }
        return false;
    }

    private void unparkGang(QueuedUnit unit) {
        parkedGangs.unpark(unit);
        if (unit instanceof GangRecord gang && gang.roomShape != null) {
            ShapeClass shape = gang.roomShape;
            shape.removeGang(gang);
            removeWaiter(shape);
        }
    }

    private void addWaiter(ShapeClass shape) {
        if (shape.waiters++ == 0) {
            shapeIndex.add(shape);
        }
    }

    private void removeWaiter(ShapeClass shape) {
        if (--shape.waiters == 0) {
            shapeIndex.remove(shape);
            shape.forgetUnfit(); // unfiled, it stops noting nodes
        }
    }

    /** New GPU models change the probes' masks: prepare them again (and refile them). Cold: only when models are added. */
    private void refreshProbes() {
        if (state.models().size() == modelsPrepared) {
            return;
        }
        modelsPrepared = state.models().size();
        for (ShapeClass shape : shapes) {
            shape.forgetGangMemo();
            if (shape.room != null) {
                shape.room.invalidate();
            }
            boolean filed = shapeIndex.isFiled(shape);
            shapeIndex.remove(shape);
            state.prepare(shape.example, shape.probe);
            if (filed) {
                shapeIndex.add(shape);
            }
        }
    }

    private void wakeOwner(QueuedUnit owner) {
        if (owner != null && owner.isParked() && owner != parkedGangsMembersWaiting(owner)) {
            unqueue(owner);
            queues.makeReady(owner);
        }
    }

    /** A gang parked for members (or withdrawn binds) stays parked: room does not help it. */
    private QueuedUnit parkedGangsMembersWaiting(QueuedUnit unit) {
        if (unit instanceof GangRecord gang && (gang.spec == null || bindsInFlightWithdrawn(gang) > 0
                || gang.pendingMembers() + gang.placedKept() < gang.minMember())) {
            return unit;
        }
        return null;
    }

    private void wakeQueue(int queue) {
        for (QueuedUnit u = waitingForQuota.first(queue); u != null; ) {
            QueuedUnit next = ParkedUnits.next(u);
            waitingForQuota.unpark(u);
            queues.makeReady(u);
            u = next;
        }
    }

    private void requeueGang(GangRecord gang) {
        if (gang.isParked()) {
            unparkGang(gang);
            waitingForQuota.unpark(gang);
        }
        if (!gang.isReady()) {
            queues.makeReady(gang);
        }
    }

    private static PodRecord firstPending(GangRecord gang) {
        for (PodRecord m : gang.members) {
            if (m.status == PodRecord.PENDING && !m.evicting) {
                return m;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ reservations and timers

    /** A unit to schedule again when a refused victim's protection ends: it may preempt that victim then. */
    private record ProtectionTimer(long endsAt, QueuedUnit preemptor) {
    }

    private int runProtectionTimers() {
        int work = 0;
        while (!protectionTimers.isEmpty() && protectionTimers.peekFirst().endsAt() - now <= 0) {
            QueuedUnit unit = protectionTimers.pollFirst().preemptor();
            if (unit instanceof PodRecord p && pods.get(p.id()) == p && p.status == PodRecord.PENDING && !p.evicting) {
                unqueue(p);
                p.lastReason = null;
                queues.makeReady(p);
                work++;
            } else if (unit instanceof GangRecord g && gangs.get(g.key) == g && !g.isScheduled()) {
                requeueGang(g);
                work++;
            }
        }
        return work;
    }

    private int runGangTimers() {
        if (waitingGangs.isEmpty()) {
            return 0;
        }
        int work = 0;
        if (anyGangTimeout) {
            for (GangRecord gang = waitingGangs.first(); gang != null; gang = gang.waitNext) {
                long timeout = gang.spec == null ? 0 : gang.spec.scheduleTimeoutNanos();
                if (!gang.timedOut && timeout > 0 && now - gang.waitingSince >= timeout) {
                    setTimedOut(gang, true);
                    releaseReservation(gang);
                    outbox.gangStatus(gang.key, Outbox.GangPhase.TIMED_OUT, gang.placed, gang.minMember(),
                            "gang " + gang.key + ": not placed within its schedule timeout; " + gang.lastReason);
                    work++;
                }
            }
        }
        if (config.reservationDelayNanos() > 0) {
            waitingGangs.advance(now, config.reservationDelayNanos());
            GangRecord head = waitingGangs.head();
            if (head != null && !head.reservationHeld && !waitingGangs.anyHolderNotAfter(head)) {
                work += reserveFor(head);
            }
        }
        return work;
    }

    private void setTimedOut(GangRecord gang, boolean timedOut) {
        if (gang.timedOut != timedOut) {
            gang.timedOut = timedOut;
            waitingGangs.timedOutChanged(gang);
        }
    }

    /**
     * Reserves for {@code gang} the nodes that could hold its members once their current work ends,
     * those already freest first, until they add up to what the gang needs.
     */
    private int reserveFor(GangRecord gang) {
        PodRecord member = firstPending(gang);
        if (member == null) {
            return 0;
        }
        int need = gang.minMember() - gang.placedKept();
        PlacementRequest request = member.request;
        int slots = state.nodeSlots();
        int[] order = new int[slots]; // cold path: once per reservation
        int n = 0;
        for (int node = 0; node < slots; node++) {
            if (state.isLive(node) && reservedFor[node] == null && capacityWhenEmpty(request, node) > 0
                    && state.fitCause(request, node) != UnfitCause.CORDONED) {
                order[n++] = node;
            }
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = order[i];
        }
        java.util.Arrays.sort(boxed, (a, b) -> {
            int byFree = Integer.compare(state.copiesThatFit(request, b, need), state.copiesThatFit(request, a, need));
            return byFree != 0 ? byFree : Long.compareUnsigned(tieBreak.rankOf(a), tieBreak.rankOf(b));
        });
        int covered = 0;
        int reserved = 0;
        for (int i = 0; i < n && covered < need; i++) {
            setReserved(boxed[i], gang);
            covered += capacityWhenEmpty(request, boxed[i]);
            reserved++;
        }
        if (covered < need) {
            for (int node = 0; node < slots; node++) {
                if (reservedFor[node] == gang) {
                    setReserved(node, null);
                }
            }
            return 0;
        }
        gang.reservationHeld = true;
        waitingGangs.holds(gang);
        outbox.gangStatus(gang.key, Outbox.GangPhase.PENDING, gang.placed, gang.minMember(),
                "gang " + gang.key + ": reserved " + reserved + " node(s) after waiting; smaller work backfills elsewhere");
        return reserved;
    }

    private int capacityWhenEmpty(PlacementRequest pod, int node) {
        long copies = Integer.MAX_VALUE;
        if (pod.cpuMilli() > 0) {
            copies = Math.min(copies, state.cpuCapacity(node) / pod.cpuMilli());
        }
        if (pod.memoryBytes() > 0) {
            copies = Math.min(copies, state.memoryCapacity(node) / pod.memoryBytes());
        }
        if (pod.gpus() > 0) {
            copies = Math.min(copies, state.gpuCount(node) / pod.gpus());
        } else if (pod.gpuMilli() > 0) {
            copies = Math.min(copies, (long) state.gpuCount(node) * (1000 / pod.gpuMilli()));
        }
        return (int) copies;
    }

    private void setReserved(int node, QueuedUnit owner) {
        keptNodes += (owner != null ? 1 : 0) - (reservedFor[node] != null ? 1 : 0);
        countKept(reservedFor[node], owner);
        reservedFor[node] = owner;
        keptChanged(node, owner);
    }

    private void setNominated(int node, QueuedUnit owner) {
        keptNodes += (owner != null ? 1 : 0) - (nominatedFor[node] != null ? 1 : 0);
        countKept(nominatedFor[node], owner);
        nominatedFor[node] = owner;
        keptChanged(node, owner);
    }

    private void countKept(QueuedUnit was, QueuedUnit now) {
        keptVersion++;
        if (was instanceof GangRecord g) {
            g.keptNodes--;
        }
        if (now instanceof GangRecord g) {
            g.keptNodes++;
        }
    }

    private void releaseReservation(GangRecord gang) {
        if (!gang.reservationHeld) {
            return;
        }
        clearReservationsOf(gang);
        gang.reservationHeld = false;
        waitingGangs.released(gang);
    }

    private void clearReservationsOf(QueuedUnit owner) {
        if (owner instanceof PodRecord p) {
            p.nominated = false;
        }
        for (int node = 0; node < state.nodeSlots(); node++) {
            boolean freed = false;
            if (reservedFor[node] == owner) {
                setReserved(node, null);
                freed = true;
            }
            if (nominatedFor[node] == owner) {
                setNominated(node, null);
                freed = true;
            }
            if (freed && state.isLive(node)) {
                wakeForNode(node);
            }
        }
    }

    /**
     * Keeps {@code node} for a preemptor while its victims leave it, so lower-priority work cannot take
     * the room the eviction makes (work of equal priority may, as kube-scheduler's nomination allows).
     */
    void nominate(int node, QueuedUnit preemptingUnit) {
        if (nominatedFor[node] == null || preemptingUnit.priority() > nominatedFor[node].priority()) {
            setNominated(node, preemptingUnit);
            if (preemptingUnit instanceof PodRecord p) {
                p.nominated = true;
            }
        }
    }

    private UnfitCause reservationCause(int node) {
        return reservationCause(node, deciding);
    }

    private UnfitCause reservationCause(int node, QueuedUnit unit) {
        if (unit == null) {
            return null;
        }
        QueuedUnit owner = reservedFor[node];
        if (owner != null && owner != unit && !(unit instanceof PodRecord p && p.gang == owner)
                && unit.priority() <= owner.priority()) {
            return UnfitCause.RESERVED;
        }
        QueuedUnit nominee = nominatedFor[node];
        if (nominee != null && nominee != unit && !(unit instanceof PodRecord p && p.gang == nominee)
                && unit.priority() < nominee.priority()) {
            return UnfitCause.RESERVED;
        }
        return null;
    }

    // ------------------------------------------------------------------ preemption support

    /** Called by the preemptor for each victim it chose. */
    void evict(PodRecord victim, QueuedUnit forUnit, String reason) {
        victim.evicting = true;
        queues.addLeaving(victim.queue(), victim.request.totalGpuMilli());
        if (forUnit instanceof PodRecord p) {
            victim.preemptor = p;
            p.victimsPending++;
        } else {
            victim.gangPreemptor = (GangRecord) forUnit;
            ((GangRecord) forUnit).victimsPending++;
        }
        nominate(victim.node, forUnit);
        outbox.evict(victim.spec, forUnit.name(), reason);
    }

    private void claim(QueuedUnit unit, long gpu) {
        dropClaim(unit);
        queues.addClaimed(unit.queue(), gpu);
        if (unit instanceof PodRecord p) {
            p.claimedGpu = gpu;
        } else {
            ((GangRecord) unit).claimedGpu = gpu;
        }
    }

    private void dropClaim(QueuedUnit unit) {
        if (unit instanceof PodRecord p && p.claimedGpu != 0) {
            queues.addClaimed(p.queue(), -p.claimedGpu);
            p.claimedGpu = 0;
        } else if (unit instanceof GangRecord g && g.claimedGpu != 0) {
            queues.addClaimed(g.queue(), -g.claimedGpu);
            g.claimedGpu = 0;
        }
    }

    /**
     * An evicted pod stopped holding its resources (removed, or its bind failed first). It stays marked
     * as evicting until it is removed, so it is never placed again: the eviction deletes it.
     */
    private void finishVictim(PodRecord victim) {
        if (!victim.evicting || victim.victimReleased) {
            return;
        }
        victim.victimReleased = true;
        queues.addLeaving(victim.queue(), -victim.request.totalGpuMilli());
        if (victim.preemptor != null && victim.preemptor.victimsPending > 0) {
            victim.preemptor.victimsPending--;
        }
        if (victim.gangPreemptor != null && victim.gangPreemptor.victimsPending > 0) {
            victim.gangPreemptor.victimsPending--;
        }
    }

    private void countPlaced(int priority, int delta) {
        int count = Math.max(0, placedByPriority.get(priority)) + delta;
        placedByPriority.put(priority, count);
        if (count > 0 && priority < lowestPlacedPriority) {
            lowestPlacedPriority = priority;
        } else if (count <= 0 && priority == lowestPlacedPriority) {
            lowestPlacedPriority = lowestPlacedPriority();
        }
    }

    /** The lowest priority with a placed pod, Integer.MAX_VALUE when none: a walk, only when the lowest one empties. */
    private int lowestPlacedPriority() {
        int lowest = Integer.MAX_VALUE;
        org.agrona.collections.Int2IntHashMap.KeyIterator keys = placedByPriority.keySet().iterator();
        while (keys.hasNext()) {
            int p = keys.nextValue();
            if (p < lowest && placedByPriority.get(p) > 0) {
                lowest = p;
            }
        }
        return lowest;
    }

    /** Whether any Gantry-placed pod has a priority below {@code priority}. */
    boolean hasPlacedBelow(int priority) {
        return lowestPlacedPriority < priority;
    }

    /** Placed, Gantry-scheduled pods in the cluster, for the preemptor. */
    Iterable<PodRecord> placedPods() {
        return pods.values();
    }

    PodRecord podRecord(long id) {
        return pods.get(id);
    }

    NodeFilter reservationFilterFor(QueuedUnit unit) {
        return node -> reservationCause(node, unit);
    }

    PodPlacer placerFor(PodRecord pod) {
        return placers[pod.spec.workloadClass().ordinal()];
    }

    GangPlanner planner() {
        return planner;
    }

    // ------------------------------------------------------------------ bookkeeping

    /**
     * Hands FGD the learned task shapes when they moved enough. Cold: at most once per learning window.
     * The new policy starts with empty score orders, so the next decision of each shape rescores the nodes.
     */
    private void adoptLearnedShapes() {
        TaskShapeDistribution learned = shapeLearner.relearn(shapes, now);
        if (learned == null) {
            return;
        }
        for (WorkloadClass c : WorkloadClass.values()) {
            if (FGD.equals(config.policyFor(c))) {
                policies[c.ordinal()] = Policies.create(FGD, new PolicyContext(config.seed(), learned));
                placers[c.ordinal()] = new PodPlacer(state, policies[c.ordinal()], tieBreak);
            }
        }
    }

    /** The task shapes FGD measures against: the config's, or the learned ones (empty until learned). */
    public TaskShapeDistribution taskShapes() {
        return shapeLearner == null ? config.taskShapes() : shapeLearner.current();
    }

    private PodRecord newRecord(PodSpec spec) {
        PodRecord pod = pool.pollFirst();
        if (pod == null) {
            pod = new PodRecord();
            pod.request = state.prepare(spec);
        } else {
            state.prepare(spec, pod.request);
        }
        pod.reset(spec, pod.request, queues.queueIndex(spec.queue()), arrivals++);
        pod.shape = shapeOf(spec);
        pods.put(spec.id(), pod);
        return pod;
    }

    private void recycle(PodRecord pod) {
        pod.spec = null;
        pod.gang = null;
        pod.preemptor = null;
        pod.gangPreemptor = null;
        pool.addFirst(pod);
    }

    private ShapeClass shapeOf(PodSpec spec) {
        long hash = ShapeClass.hash(spec);
        ShapeClass shape = shapeByHash.get(hash);
        for (ShapeClass s = shape; s != null; s = s.nextWithSameHash) {
            if (s.matches(spec)) {
                return s;
            }
        }
        ShapeClass created = new ShapeClass(shapes.size(), spec, state.prepare(spec));
        created.nextWithSameHash = shape;
        shapeByHash.put(hash, created);
        shapes.add(created);
        if (created.probe.hasHardSpread()) {
            spreadShapes.add(created);
        }
        return created;
    }

    private void unqueue(QueuedUnit unit) {
        queues.removeReady(unit);
        if (unit instanceof PodRecord pod) {
            if (pod.wokenUndecided) {
                pod.wokenUndecided = false;
                removeWaiter(pod.shape);
                continueOffer(pod);
            } else if (pod.isParked()) {
                waitingForCapacity.unpark(pod);
                if (!pod.isParked()) {
                    removeWaiter(pod.shape);
                }
            }
        }
        waitingForQuota.unpark(unit);
        unparkGang(unit);
        if (unit instanceof GangRecord gang) {
            continueOffer(gang);
        }
    }

    private void updateCapacity() {
        queues.setCapacity(state.gpuCapacityMilli(), state.cpuCapacityMilli());
    }

    private void ensureNodes(int nodes) {
        if (reservedFor.length < nodes) {
            reservedFor = java.util.Arrays.copyOf(reservedFor, Math.max(nodes, reservedFor.length * 2));
            nominatedFor = java.util.Arrays.copyOf(nominatedFor, reservedFor.length);
        }
    }

    private void report(PodRecord pod, String reason) {
        if (!reason.equals(pod.lastReason)) {
            pod.lastReason = reason;
            outbox.unschedulable(pod.spec, reason);
        }
    }

    private void reportGang(GangRecord gang, String reason) {
        if (reason.equals(gang.lastReason)) {
            return;
        }
        gang.lastReason = reason;
        for (PodRecord m : gang.members) {
            if (m.status == PodRecord.PENDING) {
                m.lastReason = reason;
                outbox.unschedulable(m.spec, reason);
            }
        }
        outbox.gangStatus(gang.key, gang.timedOut ? Outbox.GangPhase.TIMED_OUT : Outbox.GangPhase.PENDING,
                gang.placed, gang.minMember(), reason);
    }

    // ------------------------------------------------------------------ reads for drivers and tests

    /** The state; read it only on the agent thread (or when the agent is stepped by hand). */
    /** The agent's clock reading for the current duty cycle. */
    long now() {
        return now;
    }

    public ClusterState state() {
        return state;
    }

    public QueueBook queues() {
        return queues;
    }

    /** Events that failed to apply (bad input, impossible updates), since start. */
    public long errors() {
        return errors;
    }

    public String lastError() {
        return lastError;
    }

    /** Pods known and not yet placed. */
    public int pendingPods() {
        int n = 0;
        for (PodRecord p : pods.values()) {
            n += p.status == PodRecord.PENDING ? 1 : 0;
        }
        return n;
    }

    /** Whether {@code podId} is placed (assumed or bound), and where. */
    public int nodeOf(long podId) {
        PodRecord pod = pods.get(podId);
        return pod == null || !pod.isPlaced() ? ClusterState.NO_NODE : pod.node;
    }

    /** The last reason given for {@code podId} not being placed, or null. */
    public String reasonFor(long podId) {
        PodRecord pod = pods.get(podId);
        return pod == null ? null : pod.lastReason;
    }

    /**
     * A shape class's memo of a failed gang plan stands in for plans while the state and the kept nodes
     * are unchanged: the room summed over the nodes a gang of that need and priority, owning no kept
     * node, may use (a full scan) must be the room remembered.
     */
    void verifyGangMemos() {
        for (ShapeClass shape : shapes) {
            for (int need = 1; need < ShapeClass.GANG_MEMO_NEEDS; need++) {
                if (shape.gangMemoChanges[need] != state.changeCount() || shape.gangMemoKept[need] != keptVersion) {
                    continue;
                }
                long room = 0;
                int priority = shape.gangMemoPriority[need];
                for (int node = 0; node < state.nodeSlots(); node++) {
                    if (!state.isLive(node)) {
                        continue;
                    }
                    QueuedUnit owner = reservedFor[node];
                    QueuedUnit nominee = nominatedFor[node];
                    if ((owner != null && priority <= owner.priority()) || (nominee != null && priority < nominee.priority())) {
                        continue;
                    }
                    room += state.copiesThatFit(shape.probe, node, need);
                }
                if (room != shape.gangMemoRoom[need]) {
                    throw new IllegalStateException(shape + ": gangs of need " + need + " remembered to find room for "
                            + shape.gangMemoRoom[need] + ", a scan finds " + room);
                }
            }
        }
    }

    /**
     * The gang timers' candidate for a reservation, found by a walk of every waiting gang (as the
     * timers did before {@link WaitingGangs}), must be the one its heap gives, and the gangs holding a
     * reservation must be those it lists. Advancing the heap to now first changes no decision: the next
     * timer run would do it at this time or later.
     */
    void verifyWaitingGangs() {
        long previous = Long.MIN_VALUE;
        int n = 0;
        GangRecord head = null;
        for (GangRecord gang = waitingGangs.first(); gang != null; gang = gang.waitNext) {
            n++;
            if (gang.waitingSince < previous) {
                throw new IllegalStateException("waiting gangs out of order at " + gang.key);
            }
            previous = gang.waitingSince;
            if (config.reservationDelayNanos() > 0 && !gang.timedOut && now - gang.waitingSince >= config.reservationDelayNanos()
                    && (head == null || QueuedUnit.precedes(gang, head))) {
                head = gang;
            }
        }
        if (n != waitingGangs.size()) {
            throw new IllegalStateException("waiting gangs: " + waitingGangs.size() + " counted, " + n + " listed");
        }
        if (config.reservationDelayNanos() > 0) {
            waitingGangs.advance(now, config.reservationDelayNanos());
            if (waitingGangs.head() != head) {
                throw new IllegalStateException("gang timers: the heap's candidate is " + waitingGangs.head() + ", a walk finds " + head);
            }
        }
        for (GangRecord gang : gangs.values()) {
            if (gang.reservationHeld != waitingGangs.listsHolder(gang)) {
                throw new IllegalStateException(gang.name() + ": holds a reservation " + gang.reservationHeld + ", listed " + !gang.reservationHeld);
            }
        }
    }

    /**
     * Checks the wake bookkeeping: each shape class counts as waiters exactly its parked pods, its woken
     * pods not yet decided and its gangs filed by room; it is filed in the wake index exactly while it has
     * waiters; and for every live node the index lists every filed class that fits there (it never
     * misses a unit the node could take).
     */
    void verifyWakeIndex() {
        keptFloorsVersion = -1; // recount the owners' priorities, not trust them
        int[] waiters = new int[shapes.size()];
        for (PodRecord p : pods.values()) {
            if (p.wokenUndecided) {
                if (!p.isReady()) {
                    throw new IllegalStateException("pod " + p.name() + ": woken but not ready");
                }
                waiters[p.shape.id]++;
            }
        }
        for (ShapeClass shape : shapes) {
            waiters[shape.id] += waitingForCapacity.count(shape.id) + shape.gangsWaiting();
            if (waiters[shape.id] != shape.waiters) {
                throw new IllegalStateException(shape + ": counts " + shape.waiters + " waiters, has " + waiters[shape.id]);
            }
            if (shapeIndex.isFiled(shape) != (shape.waiters > 0)) {
                throw new IllegalStateException(shape + ": filed " + shapeIndex.isFiled(shape) + " with " + shape.waiters + " waiters");
            }
            if (!waitingForCapacity.isInOrder(shape.id)) {
                throw new IllegalStateException(shape + ": pods waiting for capacity out of queue order");
            }
            for (int family = ShapeClass.UNKEPT; family <= ShapeClass.ANY; family++) {
                for (int i = 0; i < shape.heapCount(family); i++) {
                    verifyRoomHeap(shape, shape.heap(family, i), shape.heapNeed(family, i), family == ShapeClass.ANY);
                }
            }
            if (shape.room != null) {
                shape.room.verify(state, keptView, shape.toString());
            }
        }
        if (parkedGangs.count(GANG_NEEDS_ROOM_COUNTED) != countRoomGangs()) {
            throw new IllegalStateException("gangs parked by counted room: " + parkedGangs.count(GANG_NEEDS_ROOM_COUNTED)
                    + ", in shape heaps: " + countRoomGangs());
        }
        ShapeClass[] listed = new ShapeClass[Math.max(1, shapeIndex.size())];
        for (int node = 0; node < state.nodeSlots(); node++) {
            if (!state.isLive(node)) {
                continue;
            }
            int n = shapeIndex.collect(state, node, listed);
            java.util.Set<ShapeClass> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (int i = 0; i < n; i++) {
                if (!seen.add(listed[i])) {
                    throw new IllegalStateException("wake index lists " + listed[i] + " twice for node " + state.nodeName(node));
                }
            }
            for (ShapeClass shape : shapes) {
                if (shapeIndex.isFiled(shape) && state.fits(shape.probe, node) && !seen.contains(shape)) {
                    throw new IllegalStateException("wake index misses " + shape + " that fits node " + state.nodeName(node));
                }
            }
        }
    }

    /**
     * For tests, once the agent has settled (nothing ready, nothing to offer again): no pod waiting for
     * capacity fits a live node that is not kept from it, and no gang filed by counted room has room for
     * its need. Room offered in queue order one unit at a time must still leave nothing usable behind.
     */
    void verifyNothingParkedCouldBePlaced() {
        if (!offerAgain.isEmpty() || queues.readyCount() > 0) {
            throw new IllegalStateException("not settled: " + queues.readyCount() + " ready, " + offerAgain.size() + " offers pending");
        }
        for (int i = 0; i < waitingForCapacity.nonEmptyBuckets(); i++) {
            for (QueuedUnit u = waitingForCapacity.first(waitingForCapacity.nonEmptyBucket(i)); u != null; u = ParkedUnits.next(u)) {
                PodRecord pod = (PodRecord) u;
                for (int node = 0; node < state.nodeSlots(); node++) {
                    if (state.isLive(node) && state.fits(pod.request, node) && reservationCause(node, pod) == null) {
                        throw new IllegalStateException("pod " + pod.name() + " waits for capacity but fits node " + state.nodeName(node));
                    }
                }
            }
        }
        for (ShapeClass shape : roomShapes) {
            for (int family = ShapeClass.UNKEPT; family <= ShapeClass.ANY; family++) {
                for (int i = 0; i < shape.heapCount(family); i++) {
                    GangHeap heap = shape.heap(family, i);
                    for (int k = 0; k < heap.size(); k++) {
                        GangRecord gang = heap.get(k);
                        long room = 0;
                        for (int node = 0; node < state.nodeSlots(); node++) {
                            if (state.isLive(node) && reservationCause(node, gang) == null) {
                                room += state.copiesThatFit(shape.probe, node, Integer.MAX_VALUE);
                            }
                        }
                        if (gang.roomNeed <= room) {
                            throw new IllegalStateException("gang " + gang.key + " waits for " + gang.roomNeed + " copies of "
                                    + shape + ", and " + room + " are free for it");
                        }
                    }
                }
            }
        }
    }

    private void verifyRoomHeap(ShapeClass shape, GangHeap heap, int need, boolean mayUseKept) {
        for (int i = 0; i < heap.size(); i++) {
            GangRecord g = heap.get(i);
            if (g.roomShape != shape || g.roomHeap != heap || g.roomHeapIndex != i || g.roomNeed != need
                    || g.roomMayUseKept != mayUseKept || g.where() != QueuedUnit.PARKED) {
                throw new IllegalStateException(shape + ": gang " + g.key + " misfiled in its room heap");
            }
            if (!mayUseKept && (g.keptNodes > 0 || keptNodesMayAdmit(g.priority()))) {
                throw new IllegalStateException(shape + ": gang " + g.key + " counts only unkept room but may use kept nodes");
            }
        }
    }

    private int countRoomGangs() {
        int n = 0;
        for (ShapeClass shape : shapes) {
            n += shape.gangsWaiting();
        }
        return n;
    }

    /** For tests: wake and decide as before the wake index (see {@link #wakeEverything}). Call before any event. */
    void wakeEverything(boolean value) {
        wakeEverything = value;
    }

    /** Nodes currently reserved for waiting gangs. */
    public int reservedNodes() {
        int n = 0;
        for (int node = 0; node < state.nodeSlots(); node++) {
            n += reservedFor[node] != null ? 1 : 0;
        }
        return n;
    }

    /** Nodes currently kept for preemptors waiting for their victims. */
    public int nominatedNodes() {
        int n = 0;
        for (int node = 0; node < state.nodeSlots(); node++) {
            n += nominatedFor[node] != null ? 1 : 0;
        }
        return n;
    }

    /**
     * Checks the agent's own invariants on top of {@link ClusterState#verify()}: every gang not yet
     * scheduled has no member placed by Gantry unless it is bound (never a partly assumed gang), and
     * queue accounting equals the sum of placed pods. For tests and the simulator's checking mode.
     */
    public void verify() {
        state.verify();
        verifyWakeIndex();
        verifyWaitingGangs();
        verifyGangMemos();
        if (lowestPlacedPriority != lowestPlacedPriority()) {
            throw new IllegalStateException("lowest placed priority: kept " + lowestPlacedPriority + ", counts say " + lowestPlacedPriority());
        }
        long[] gpu = new long[queues.size()];
        for (PodRecord p : pods.values()) {
            if (p.isPlaced()) {
                gpu[p.queue()] += p.request.totalGpuMilli();
                if (state.nodeOf(p.id()) != p.node) {
                    throw new IllegalStateException("pod " + p.name() + ": agent says node " + p.node + ", state says " + state.nodeOf(p.id()));
                }
            }
        }
        for (int q = 0; q < queues.size(); q++) {
            if (gpu[q] != queues.gpuHeld(q)) {
                throw new IllegalStateException("queue " + queues.spec(q).name() + ": holds " + queues.gpuHeld(q) + " milli-GPU, pods add up to " + gpu[q]);
            }
        }
        for (GangRecord gang : gangs.values()) {
            int placed = 0;
            int assumed = 0;
            for (PodRecord m : gang.members) {
                placed += m.isPlaced() ? 1 : 0;
                assumed += m.status == PodRecord.ASSUMED ? 1 : 0;
            }
            if (placed != gang.placed) {
                throw new IllegalStateException("gang " + gang.key + ": counts " + gang.placed + " placed, members say " + placed);
            }
            if (gang.spec != null && assumed > 0 && placed < gang.spec.minMember() && !gang.scheduledOnce) {
                throw new IllegalStateException("gang " + gang.key + ": partly placed, " + placed + " of minMember " + gang.spec.minMember());
            }
        }
    }
}
