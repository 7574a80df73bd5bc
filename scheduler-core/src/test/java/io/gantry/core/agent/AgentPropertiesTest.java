package io.gantry.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.gang.GangSpec;
import io.gantry.core.gang.TopologyLevel;
import io.gantry.core.intake.IntakeQueue;
import io.gantry.core.intake.SchedulerEvent;
import io.gantry.core.model.NodeSpec;
import io.gantry.core.model.PodSpec;
import io.gantry.core.model.ResourceRequest;
import io.gantry.core.model.Topology;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.outbox.Outbox;
import io.gantry.core.queue.QueueSpec;
import io.gantry.core.state.ClusterState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

/**
 * Random streams of cluster events through a real {@link SchedulerAgent}, driven by a model of the
 * cluster that plays informer, binder and kubelet: nodes come, change and go; pods and gangs arrive
 * (gang members sometimes before their PodGroup, sometimes fewer than minMember); pods complete or are
 * deleted; evicted pods are deleted a little later, as a real cluster would; binds are confirmed or
 * fail; the virtual clock moves (reservations, gang timeouts).
 *
 * <p>After every duty cycle: {@link SchedulerAgent#verify()}; no pod bound twice (a second bind with
 * no failed bind or removal between); a gang with a bind in a cycle has minMember members placed at the
 * end of that cycle (all or nothing); no eviction of a pod that is not placed. After every step: the
 * agent's placements equal the binds the model saw; no node, by the binds alone, over its CPU, memory
 * or GPU milli, and no whole GPU shared; no error counted. And the same stream through two fresh
 * agents gives the same outbox calls in the same order.
 */
class AgentPropertiesTest {
    static final long SECOND = 1_000_000_000L;
    static final long GIB = 1L << 30;
    static final List<String> MODELS = List.of("A100", "T4");
    static final List<String> QUEUES = List.of("q0", "q1");

    // ------------------------------------------------------------------ the generated stream

    /** A pod shape: whole GPUs, a share of one GPU, or CPU only. */
    record Shape(int cores, int memoryGib, int gpus, int milli, boolean wantsA100) {
        ResourceRequest request() {
            return new ResourceRequest(cores * 1000L, memoryGib * GIB, gpus, milli, 0);
        }

        Set<String> models() {
            return wantsA100 && (gpus > 0 || milli > 0) ? Set.of("A100") : Set.of();
        }
    }

    sealed interface Op permits AddNode, UpdateNode, RemoveNode, AddPod, NewGang, AddMember, DeclareGang, RemovePod,
            Confirm, FailBind, DeleteEvicted, Advance, SetQueue {
    }

    /** {@code reuse}: take the name of a node that is fully gone, when there is one. */
    record AddNode(int gpus, int model, int cores, int memoryGib, int rack, boolean reuse) implements Op {
    }

    /** kind 0: cordon or uncordon; 1: CPU; 2: memory; 3: GPU count (never below what is in use). */
    record UpdateNode(int pick, int kind, int amount) implements Op {
    }

    record RemoveNode(int pick) implements Op {
    }

    record AddPod(Shape shape, int priority, int queue, boolean inference) implements Op {
    }

    /** topology 0: none; 1/2: rack preferred/required; 3/4: node preferred/required. */
    record NewGang(Shape shape, int minMember, int members, boolean declareNow, int priority, int queue, int topology,
                   int timeoutSeconds) implements Op {
    }

    record AddMember(int pick) implements Op {
    }

    record DeclareGang(int pick) implements Op {
    }

    /** {@code completed}: a placed pod finishes; otherwise any pod is deleted. */
    record RemovePod(int pick, boolean completed) implements Op {
    }

    /** Confirms the {@code count} oldest binds in flight. */
    record Confirm(int count) implements Op {
    }

    record FailBind(int pick) implements Op {
    }

    /** Deletes the pods that were evicted or whose node was removed. */
    record DeleteEvicted() implements Op {
    }

    record Advance(int seconds) implements Op {
    }

    record SetQueue(int queue, int guaranteeGpus, int extraLimitGpus) implements Op {
    }

    record Stream(boolean smallCycles, List<Op> ops) {
        @Override
        public String toString() {
            return "Stream[smallCycles=" + smallCycles + ", " + ops.size() + " ops: " + ops + "]";
        }
    }

    static Arbitrary<Shape> shapes() {
        Arbitrary<Integer> cores = Arbitraries.integers().between(1, 16);
        Arbitrary<Integer> memory = Arbitraries.integers().between(1, 64);
        Arbitrary<Boolean> wantsA100 = Arbitraries.of(false, false, false, true);
        Arbitrary<Shape> whole = Combinators.combine(cores, memory,
                Arbitraries.frequency(List.of(Tuple.of(6, 1), Tuple.of(4, 2), Tuple.of(2, 4), Tuple.of(1, 3), Tuple.of(1, 8))), wantsA100)
                .as((c, m, g, a) -> new Shape(c, m, g, 0, a));
        Arbitrary<Shape> share = Combinators.combine(cores, memory, Arbitraries.integers().between(1, 9).map(k -> k * 100), wantsA100)
                .as((c, m, milli, a) -> new Shape(c, m, 0, milli, a));
        Arbitrary<Shape> cpuOnly = Combinators.combine(cores, memory).as((c, m) -> new Shape(c, m, 0, 0, false));
        return Arbitraries.frequencyOf(List.of(Tuple.of(5, whole), Tuple.of(3, share), Tuple.of(2, cpuOnly)));
    }

    @Provide
    Arbitrary<Stream> streams() {
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Integer> priority = Arbitraries.integers().between(0, 3);
        Arbitrary<Integer> queue = Arbitraries.integers().between(0, QUEUES.size() - 1);
        Arbitrary<Op> addNode = Combinators.combine(Arbitraries.of(0, 2, 4, 8, 8), Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(16, 128), Arbitraries.integers().between(128, 1024),
                        Arbitraries.integers().between(0, 2), Arbitraries.of(false, false, true))
                .as(AddNode::new);
        Arbitrary<Op> updateNode = Combinators.combine(pick, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 1000))
                .as(UpdateNode::new);
        Arbitrary<Op> removeNode = pick.map(RemoveNode::new);
        Arbitrary<Op> addPod = Combinators.combine(shapes(), priority, queue, Arbitraries.of(false, false, false, true))
                .as(AddPod::new);
        Arbitrary<Op> newGang = Combinators.combine(shapes(), Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 8),
                        Arbitraries.of(true, true, false), priority, queue, Arbitraries.integers().between(0, 4),
                        Arbitraries.of(0, 0, 5, 30, 120))
                .as(NewGang::new);
        Arbitrary<Op> addMember = pick.map(AddMember::new);
        Arbitrary<Op> declareGang = pick.map(DeclareGang::new);
        Arbitrary<Op> removePod = Combinators.combine(pick, Arbitraries.of(true, true, false)).as(RemovePod::new);
        Arbitrary<Op> confirm = Arbitraries.of(1, 3, 1000).map(Confirm::new);
        Arbitrary<Op> failBind = pick.map(FailBind::new);
        Arbitrary<Op> deleteEvicted = Arbitraries.just(new DeleteEvicted());
        Arbitrary<Op> advance = Arbitraries.of(1, 5, 11, 40, 130).map(Advance::new);
        Arbitrary<Op> setQueue = Combinators.combine(queue, Arbitraries.integers().between(0, 16),
                Arbitraries.of(-1, -1, 0, 4, 16)).as(SetQueue::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(List.of(
                Tuple.of(5, addNode), Tuple.of(4, updateNode), Tuple.of(2, removeNode),
                Tuple.of(14, addPod), Tuple.of(4, newGang), Tuple.of(3, addMember), Tuple.of(2, declareGang),
                Tuple.of(8, removePod), Tuple.of(12, confirm), Tuple.of(3, failBind), Tuple.of(5, deleteEvicted),
                Tuple.of(4, advance), Tuple.of(1, setQueue)));
        Arbitrary<List<Op>> start = Combinators.combine(setQueue, setQueue, addNode, addNode, addNode).as(List::of);
        Arbitrary<List<Op>> rest = op.list().ofMinSize(100).ofMaxSize(250);
        return Combinators.combine(Arbitraries.of(false, false, true), start, rest).as((small, s, r) -> {
            List<Op> ops = new ArrayList<>(s);
            ops.addAll(r);
            return new Stream(small, ops);
        });
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 130)
    void invariantsHoldAfterEveryStep(@ForAll("streams") Stream stream) {
        ClusterDriver driver = new ClusterDriver(stream.smallCycles());
        driver.run(stream.ops());
    }

    @Property(tries = 100)
    void theSameStreamGivesTheSameDecisions(@ForAll("streams") Stream stream) {
        ClusterDriver first = new ClusterDriver(stream.smallCycles());
        first.run(stream.ops());
        ClusterDriver second = new ClusterDriver(stream.smallCycles());
        second.run(stream.ops());
        List<String> a = first.outbox.trace;
        List<String> b = second.outbox.trace;
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            assertThat(b.get(i)).as("outbox call %d of %d", i, a.size()).isEqualTo(a.get(i));
        }
        assertThat(b).hasSameSizeAs(a);
    }

    // ------------------------------------------------------------------ bugs the streams found

    @Test
    void aRemovedNodeWhoseLastPodFailsToBindIsRemoved() {
        AgentHarness h = new AgentHarness();
        h.autoBind = false;
        h.node("n1", 4, "A100");
        h.node("n2", 4, "A100");
        PodSpec p = h.pod("p", 4, 0);
        h.step();
        String first = h.outbox.newBinds().get(0).node();
        h.send(new SchedulerEvent.NodeRemoved(first));
        h.step();
        // the pod's bind fails: nothing is placed on the removed node any more, so it must go
        h.send(new SchedulerEvent.BindFailed(p.id(), "node is gone"));
        h.step();
        assertThat(h.agent.state().nodeId(first)).as("removed node still in the state").isEqualTo(ClusterState.NO_NODE);
        // the node comes back under the same name (a kubelet re-registers): that must not be an error
        h.node(first, 4, "A100");
        h.step();
        assertThat(h.agent.errors()).as("errors, last: %s", h.agent.lastError()).isZero();
    }

    /** Node n1 (8 GPUs) and gang g of minMember 2 with three 4-GPU members: two placed, the third waiting alone. */
    private static PodSpec[] gangOfTwoPlacedAndAThirdWaiting(AgentHarness h) {
        h.node("n1", 8, "A100");
        h.gang("g", 2, 0);
        PodSpec m0 = h.pod("g-0", 4, 0, "default", "g");
        PodSpec m1 = h.pod("g-1", 4, 0, "default", "g");
        PodSpec m2 = h.pod("g-2", 4, 0, "default", "g");
        h.step();
        assertThat(h.isBound(m0) && h.isBound(m1)).isTrue();
        assertThat(h.isBound(m2)).as("no room for the third member, which waits alone").isFalse();
        return new PodSpec[] {m0, m1, m2};
    }

    @Test
    void aGangEvictedBelowMinMemberIsNotPlacedOneMemberAtATime() {
        AgentHarness h = new AgentHarness();
        PodSpec[] members = gangOfTwoPlacedAndAThirdWaiting(h);
        PodSpec m0 = members[0];
        PodSpec m1 = members[1];
        PodSpec m2 = members[2];

        // another shape than the members', so it is not parked behind g-2 (see the test below)
        PodSpec high = h.pod("high", ResourceRequest.wholeGpus(2000, 1L << 30, 4), 3, "default", "", WorkloadClass.TRAINING);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactlyInAnyOrder("g-0", "g-1");
        h.remove(m0);
        h.remove(m1);
        h.step();
        assertThat(h.isBound(high)).isTrue();
        // the gang has no member placed and only one pending: minMember 2 cannot be met, so g-2 must wait
        assertThat(h.isBound(m2)).as("g-2 placed alone, a gang of 1 of minMember 2").isFalse();
    }

    @Test
    void aMemberQueuedAloneIsNotPlacedAloneOnceItsGangFellBelowMinMember() {
        AgentHarness h = new AgentHarness();
        h.node("n2", 4, "A100");
        PodSpec other = h.pod("other", ResourceRequest.wholeGpus(3000, 1L << 30, 4), 0, "default", "", WorkloadClass.TRAINING);
        h.step();
        PodSpec[] members = gangOfTwoPlacedAndAThirdWaiting(h);
        PodSpec m0 = members[0];
        PodSpec m1 = members[1];
        PodSpec m2 = members[2];
        assertThat(h.isBound(other)).isTrue();

        PodSpec high = h.pod("high", ResourceRequest.wholeGpus(2000, 1L << 30, 8), 3, "default", "", WorkloadClass.TRAINING);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactlyInAnyOrder("g-0", "g-1");
        // while g-0 and g-1 are being evicted, n2 empties: g-2 fits there, but its gang keeps no member
        // placed and has minMember 2
        h.remove(other);
        h.step();
        assertThat(h.isBound(m2)).as("g-2 placed alone, a gang of 1 of minMember 2").isFalse();
        h.remove(m0);
        h.remove(m1);
        h.step();
        assertThat(h.isBound(high)).isTrue();
        assertThat(h.isBound(m2)).isFalse();
        assertThat(h.agent.errors()).as("errors, last: %s", h.agent.lastError()).isZero();
    }

    @Test
    void aPreemptorIsPlacedOnceItsVictimsAreGoneEvenBehindALowerPriorityPodOfItsShape() {
        AgentHarness h = new AgentHarness();
        h.node("n1", 4, "A100");
        PodSpec low = h.pod("low", 4, 0);
        h.step();
        PodSpec waiting = h.pod("waiting", 4, 0);
        h.step();
        assertThat(h.isBound(waiting)).isFalse();
        PodSpec high = h.pod("high", 4, 3);
        h.step();
        assertThat(h.outbox.newEvictions()).extracting(e -> e.pod().name()).containsExactly("low");
        h.remove(low);
        h.step();
        // n1 is empty and kept for high; "waiting" (priority 0) heads the shape's parked list and is
        // blocked by the nomination, so wakeForNode wakes nobody and high waits forever
        assertThat(h.isBound(high)).as("high bound after its victim left; its reason: %s", h.reason(high)).isTrue();
        assertThat(h.isBound(waiting)).isFalse();
    }

    @Test
    void aFailedGangBindNeverSendsASecondBindForASiblingStillInFlight() {
        AgentHarness h = new AgentHarness();
        h.autoBind = false;
        h.node("n1", 4, "A100");
        h.gang("g", 3, 0);
        h.pod("g-0", 1, 0, "default", "g");
        h.pod("g-1", 1, 0, "default", "g");
        h.pod("g-2", 1, 0, "default", "g");
        h.step();
        List<RecordingOutbox.Bind> first = h.outbox.newBinds();
        assertThat(first).hasSize(3);
        // g-1's bind fails; g-2's bind is still with the binder, which will report on it
        h.send(new SchedulerEvent.BindFailed(first.get(1).pod().id(), "500 from the API server"));
        h.step();
        // the binder still owns g-2's first bind (a BindSucceeded or BindFailed must follow): a second bind
        // for g-2 now can land it on two nodes, and the agent records only the second
        assertThat(h.outbox.newBinds()).extracting(b -> b.pod().name()).doesNotContain(first.get(2).pod().name());
    }

    // ------------------------------------------------------------------ the outbox

    /** A withdrawn bind, as the outbox was told. */
    record Cancel(PodSpec pod) {
    }

    /** Records every call, in order, as typed entries and as one comparable trace. */
    static final class TracingOutbox implements Outbox {
        final RecordingOutbox recording = new RecordingOutbox();
        final List<Object> calls = new ArrayList<>();
        final List<String> trace = new ArrayList<>();
        int taken;
        boolean wantsReasons = true;

        @Override
        public boolean wantsReasons() {
            return wantsReasons;
        }

        @Override
        public void bind(PodSpec pod, String nodeName, int gpuMask) {
            recording.bind(pod, nodeName, gpuMask);
            calls.add(new RecordingOutbox.Bind(pod, nodeName, gpuMask));
            trace.add("bind " + pod.id() + " " + nodeName + " " + Integer.toBinaryString(gpuMask));
        }

        @Override
        public void cancelBind(PodSpec pod) {
            recording.cancelBind(pod);
            calls.add(new Cancel(pod));
            trace.add("cancel " + pod.id());
        }

        @Override
        public void evict(PodSpec pod, String preemptor, String reason) {
            recording.evict(pod, preemptor, reason);
            calls.add(new RecordingOutbox.Eviction(pod, preemptor, reason));
            trace.add("evict " + pod.id() + " for " + preemptor + ": " + reason);
        }

        @Override
        public void unschedulable(PodSpec pod, String message) {
            recording.unschedulable(pod, message);
            trace.add("unschedulable " + pod.id() + ": " + message);
        }

        @Override
        public void gangStatus(String gangKey, GangPhase phase, int placedMembers, int minMember, String message) {
            recording.gangStatus(gangKey, phase, placedMembers, minMember, message);
            trace.add("gang " + gangKey + " " + phase + " " + placedMembers + "/" + minMember + ": " + message);
        }

        List<Object> newCalls() {
            List<Object> out = List.copyOf(calls.subList(taken, calls.size()));
            taken = calls.size();
            return out;
        }
    }

    // ------------------------------------------------------------------ the cluster model

    static final int PENDING = 0;
    static final int IN_FLIGHT = 1;
    static final int BOUND = 2;

    static final class PodModel {
        final PodSpec spec;
        final GangModel gang;
        int status = PENDING;
        String node;
        int gpuMask;
        boolean evicted;

        PodModel(PodSpec spec, GangModel gang) {
            this.spec = spec;
            this.gang = gang;
        }

        boolean placed() {
            return status != PENDING;
        }
    }

    static final class GangModel {
        final GangSpec spec;
        final NewGang op;
        boolean declared;
        int created;
        /**
         * Lost a placed member after being scheduled and fell below minMember: the agent then still
         * places the members it had released as single pods one by one (see
         * {@link AgentPropertiesTest#aGangEvictedBelowMinMemberIsNotPlacedOneMemberAtATime}), so the
         * all-or-nothing check skips it.
         */
        final List<PodModel> live = new ArrayList<>();

        GangModel(GangSpec spec, NewGang op) {
            this.spec = spec;
            this.op = op;
        }

        int placed() {
            int n = 0;
            for (PodModel m : live) {
                n += m.placed() ? 1 : 0;
            }
            return n;
        }
    }

    /**
     * Plays the cluster around one agent: turns ops into the events a real cluster would send, keeps
     * what it was told by the outbox, and checks the agent against it.
     */
    /**
     * The wake index, the fail-fast of pods whose class fits nowhere and the gangs' room counts only skip
     * work that could not place anything: the binds, evictions and withdrawals are those of the agent that
     * wakes every parked unit on every change and decides each in full (what it did before the index).
     */
    @Property(tries = 100)
    void theWakeIndexDecidesAsWakingEverything(@ForAll("streams") Stream stream) {
        ClusterDriver indexed = new ClusterDriver(stream.smallCycles());
        indexed.run(stream.ops());
        ClusterDriver everything = new ClusterDriver(stream.smallCycles(), true);
        everything.run(stream.ops());
        List<String> a = decisions(everything.outbox.trace);
        List<String> b = decisions(indexed.outbox.trace);
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            assertThat(b.get(i)).as("decision %d of %d", i, a.size()).isEqualTo(a.get(i));
        }
        assertThat(b).hasSameSizeAs(a);
    }

    /**
     * The same with an outbox that reads no reasons (as the simulator's), where a shape class's memo of a
     * failed gang plan stands in for planning gangs of its shape, and pods fail fast without fresh
     * reasons: the binds, evictions and withdrawals are still those of waking everything. verify()
     * checks each memo against a scan of the nodes after every duty cycle.
     */
    @Property(tries = 100)
    void withoutReasonsTheShortcutsDecideAsWakingEverything(@ForAll("streams") Stream stream) {
        ClusterDriver indexed = new ClusterDriver(stream.smallCycles(), false, false);
        indexed.run(stream.ops());
        ClusterDriver everything = new ClusterDriver(stream.smallCycles(), true);
        everything.run(stream.ops());
        List<String> a = withoutEvictionReasons(decisions(everything.outbox.trace));
        List<String> b = withoutEvictionReasons(decisions(indexed.outbox.trace));
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            assertThat(b.get(i)).as("decision %d of %d", i, a.size()).isEqualTo(a.get(i));
        }
        assertThat(b).hasSameSizeAs(a);
    }

    private static List<String> withoutEvictionReasons(List<String> decisions) {
        List<String> out = new ArrayList<>();
        for (String d : decisions) {
            out.add(d.startsWith("evict ") && d.indexOf(':') > 0 ? d.substring(0, d.indexOf(':')) : d);
        }
        return out;
    }

    private static List<String> decisions(List<String> trace) {
        List<String> out = new ArrayList<>();
        for (String call : trace) {
            if (call.startsWith("bind ") || call.startsWith("cancel ") || call.startsWith("evict ")) {
                out.add(call);
            }
        }
        return out;
    }

    static final class ClusterDriver {
        final SchedulerConfig config;
        final CachedNanoClock clock = new CachedNanoClock();
        final IntakeQueue intake = new IntakeQueue(1 << 14);
        final TracingOutbox outbox = new TracingOutbox();
        final SchedulerAgent agent;

        /** Nodes in the cluster, by name, in creation order. */
        final Map<String, NodeSpec> nodes = new LinkedHashMap<>();
        /** Last spec of every node ever seen, removed ones included (their pods may still be placed). */
        final Map<String, NodeSpec> lastSpec = new HashMap<>();
        final Set<String> removedNodes = new LinkedHashSet<>();
        final Map<Long, PodModel> pods = new LinkedHashMap<>();
        final List<PodModel> inFlight = new ArrayList<>();
        final Set<PodModel> toDelete = new LinkedHashSet<>();
        /** Pods deleted by the current step: until the agent reads their removal it may still act on them. */
        final Set<Long> removedThisStep = new java.util.HashSet<>();
        final Map<String, GangModel> gangs = new LinkedHashMap<>();
        final List<SchedulerEvent> events = new ArrayList<>();
        long nextPod = 1;
        int nextNode;
        int nextGang;
        int step;
        Op current;

        ClusterDriver(boolean smallCycles) {
            this(smallCycles, false);
        }

        ClusterDriver(boolean smallCycles, boolean wakeEverything) {
            this(smallCycles, wakeEverything, true);
        }

        ClusterDriver(boolean smallCycles, boolean wakeEverything, boolean reasons) {
            outbox.wantsReasons = reasons;
            SchedulerConfig base = SchedulerConfig.defaults().withReservationDelayNanos(10 * SECOND);
            this.config = smallCycles ? base.withCycleLimits(3, 2) : base;
            clock.update(0);
            agent = new SchedulerAgent(config, intake, outbox, clock);
            agent.wakeEverything(wakeEverything);
        }

        void run(List<Op> ops) {
            for (Op op : ops) {
                current = op;
                apply(op);
                for (SchedulerEvent e : events) {
                    if (!intake.offer(e)) {
                        throw new IllegalStateException("intake full");
                    }
                }
                events.clear();
                settle();
                step++;
            }
        }

        private String where() {
            return "step " + step + " (" + current + ")";
        }

        // ------------------------------------------------------------------ ops to events

        private void apply(Op op) {
            removedThisStep.clear();
            if (op instanceof AddNode a) {
                addNode(a);
            } else if (op instanceof UpdateNode u && !nodes.isEmpty()) {
                updateNode(u);
            } else if (op instanceof RemoveNode r && !nodes.isEmpty()) {
                removeNode(r);
            } else if (op instanceof AddPod a) {
                PodSpec spec = new PodSpec(nextPod, "p" + nextPod, a.shape().request(), a.priority(), QUEUES.get(a.queue()),
                        a.inference() ? WorkloadClass.INFERENCE : WorkloadClass.TRAINING, a.shape().models(), Map.of(), List.of(), "");
                nextPod++;
                addPod(spec, null);
            } else if (op instanceof NewGang g) {
                newGang(g);
            } else if (op instanceof AddMember m) {
                List<GangModel> open = gangs.values().stream().filter(g -> g.created < 8).toList();
                if (!open.isEmpty()) {
                    addMember(open.get(m.pick() % open.size()));
                }
            } else if (op instanceof DeclareGang d) {
                List<GangModel> undeclared = gangs.values().stream().filter(g -> !g.declared).toList();
                if (!undeclared.isEmpty()) {
                    GangModel g = undeclared.get(d.pick() % undeclared.size());
                    g.declared = true;
                    events.add(new SchedulerEvent.GangUpdated(g.spec));
                }
            } else if (op instanceof RemovePod r) {
                List<PodModel> candidates = pods.values().stream().filter(p -> !r.completed() || p.placed()).toList();
                if (!candidates.isEmpty()) {
                    removePod(candidates.get(r.pick() % candidates.size()), r.completed());
                }
            } else if (op instanceof Confirm c) {
                int n = Math.min(c.count(), inFlight.size());
                for (int i = 0; i < n; i++) {
                    PodModel p = inFlight.remove(0);
                    p.status = BOUND;
                    events.add(new SchedulerEvent.BindSucceeded(p.spec.id()));
                }
            } else if (op instanceof FailBind f) {
                if (!inFlight.isEmpty()) {
                    failBind(inFlight.get(f.pick() % inFlight.size()));
                }
            } else if (op instanceof DeleteEvicted) {
                for (PodModel p : List.copyOf(toDelete)) {
                    removePod(p, false);
                }
            } else if (op instanceof Advance a) {
                clock.update(clock.nanoTime() + a.seconds() * SECOND);
            } else if (op instanceof SetQueue q) {
                long guarantee = q.guaranteeGpus() * 1000L;
                long limit = q.extraLimitGpus() < 0 ? QueueSpec.NO_LIMIT : guarantee + q.extraLimitGpus() * 1000L;
                events.add(new SchedulerEvent.QueueUpdated(new QueueSpec(QUEUES.get(q.queue()), guarantee, limit, 0, 1.0)));
            }
        }


        private void addNode(AddNode a) {
            String name = null;
            if (a.reuse()) {
                for (String removed : removedNodes) {
                    if (!hasPlacedPods(removed)) {
                        name = removed;
                        break;
                    }
                }
            }
            if (name == null) {
                name = "n" + nextNode++;
            }
            removedNodes.remove(name);
            String model = a.gpus() > 0 ? MODELS.get(a.model()) : "";
            NodeSpec spec = new NodeSpec(name, a.cores() * 1000L, a.memoryGib() * GIB, a.gpus(), model, 0, Map.of(),
                    new Topology("z0", "r" + a.rack(), ""), true, List.of());
            nodes.put(name, spec);
            lastSpec.put(name, spec);
            events.add(new SchedulerEvent.NodeAdded(spec));
        }

        private boolean hasPlacedPods(String node) {
            for (PodModel p : pods.values()) {
                if (p.placed() && node.equals(p.node)) {
                    return true;
                }
            }
            return false;
        }

        private void updateNode(UpdateNode u) {
            List<String> names = new ArrayList<>(nodes.keySet());
            String name = names.get(u.pick() % names.size());
            NodeSpec old = nodes.get(name);
            long cpuUsed = 0;
            long memoryUsed = 0;
            int gpusUsed = 0;
            for (PodModel p : pods.values()) {
                if (p.placed() && name.equals(p.node)) {
                    cpuUsed += p.spec.request().cpuMilli();
                    memoryUsed += p.spec.request().memoryBytes();
                    gpusUsed = Math.max(gpusUsed, 32 - Integer.numberOfLeadingZeros(p.gpuMask));
                }
            }
            NodeSpec spec = switch (u.kind()) {
                case 0 -> old.withSchedulable(!old.schedulable());
                case 1 -> new NodeSpec(name, Math.max(cpuUsed, (8 + u.amount() % 120) * 1000L), old.memoryBytes(), old.gpus(),
                        old.gpuModel(), 0, old.labels(), old.topology(), old.schedulable(), old.taints());
                case 2 -> new NodeSpec(name, old.cpuMilli(), Math.max(memoryUsed, (64 + u.amount()) * GIB), old.gpus(),
                        old.gpuModel(), 0, old.labels(), old.topology(), old.schedulable(), old.taints());
                default -> {
                    int gpus = Math.max(gpusUsed, List.of(0, 2, 4, 8).get(u.amount() % 4));
                    String model = gpus == 0 ? "" : old.gpuModel().isEmpty() ? MODELS.get(u.amount() % 2) : old.gpuModel();
                    if (gpusUsed == 0 && gpus > 0 && !old.gpuModel().isEmpty() && u.amount() % 3 == 0) {
                        model = MODELS.get((MODELS.indexOf(old.gpuModel()) + 1) % MODELS.size()); // allowed: no GPU in use
                    }
                    yield new NodeSpec(name, old.cpuMilli(), old.memoryBytes(), gpus, model, 0, old.labels(), old.topology(),
                            old.schedulable(), old.taints());
                }
            };
            nodes.put(name, spec);
            lastSpec.put(name, spec);
            events.add(new SchedulerEvent.NodeUpdated(spec));
        }

        private void removeNode(RemoveNode r) {
            List<String> names = new ArrayList<>(nodes.keySet());
            String name = names.get(r.pick() % names.size());
            nodes.remove(name);
            removedNodes.add(name);
            events.add(new SchedulerEvent.NodeRemoved(name));
            for (PodModel p : pods.values()) {
                if (p.placed() && name.equals(p.node)) {
                    toDelete.add(p); // the pod garbage collector deletes them a little later
                }
            }
        }

        private void addPod(PodSpec spec, GangModel gang) {
            PodModel pod = new PodModel(spec, gang);
            pods.put(spec.id(), pod);
            if (gang != null) {
                gang.live.add(pod);
            }
            events.add(new SchedulerEvent.PodAdded(spec));
        }

        private void newGang(NewGang g) {
            String key = "g" + nextGang++;
            TopologyLevel level = switch (g.topology()) {
                case 1, 2 -> TopologyLevel.RACK;
                case 3, 4 -> TopologyLevel.NODE;
                default -> TopologyLevel.NONE;
            };
            GangSpec spec = new GangSpec(key, g.minMember(), g.timeoutSeconds() * SECOND, level, g.topology() == 2 || g.topology() == 4);
            GangModel gang = new GangModel(spec, g);
            gangs.put(key, gang);
            if (g.declareNow()) {
                gang.declared = true;
                events.add(new SchedulerEvent.GangUpdated(spec));
            }
            for (int i = 0; i < g.members(); i++) {
                addMember(gang);
            }
        }

        private void addMember(GangModel gang) {
            NewGang g = gang.op;
            PodSpec spec = new PodSpec(nextPod, gang.spec.key() + "-" + gang.created, g.shape().request(), g.priority(),
                    QUEUES.get(g.queue()), WorkloadClass.TRAINING, g.shape().models(), Map.of(), List.of(), gang.spec.key());
            nextPod++;
            gang.created++;
            addPod(spec, gang);
        }

        private void removePod(PodModel p, boolean completed) {
            removedThisStep.add(p.spec.id());
            pods.remove(p.spec.id());
            inFlight.remove(p);
            toDelete.remove(p);
            boolean wasPlaced = p.placed();
            p.status = PENDING;
            if (p.gang != null) {
                p.gang.live.remove(p);
            }
            events.add(new SchedulerEvent.PodRemoved(p.spec.id(), completed));
        }

        /**
         * The binder gives up on {@code p}, or withdraws it after the agent asked. The agent takes the
         * placement back; gang siblings still in flight stay in flight (the agent asks to withdraw them,
         * and their own result follows later), so the model only moves {@code p}.
         */
        private void failBind(PodModel p) {
            inFlight.remove(p);
            p.status = PENDING;
            p.node = null;
            p.gpuMask = 0;
            if (!p.evicted) {
                toDelete.remove(p); // no longer bound to a removed node; an evicted pod is still being deleted
            }
            events.add(new SchedulerEvent.BindFailed(p.spec.id(), "injected failure"));
        }

        // ------------------------------------------------------------------ duty cycles and checks

        private void settle() {
            for (int cycle = 0; cycle < 10_000; cycle++) {
                boolean allEventsApplied = intake.size() <= config.maxEventsPerCycle();
                int work = agent.doWork();
                try {
                    agent.verify();
                } catch (IllegalStateException e) {
                    throw new AssertionError(where() + ", cycle " + cycle + ": verify failed: " + e.getMessage(), e);
                }
                Map<GangModel, Integer> gangBinds = new LinkedHashMap<>();
                for (Object call : outbox.newCalls()) {
                    if (call instanceof RecordingOutbox.Bind b) {
                        onBind(b, allEventsApplied, gangBinds);
                    } else if (call instanceof RecordingOutbox.Eviction e) {
                        onEviction(e, allEventsApplied);
                    }
                }
                for (Map.Entry<GangModel, Integer> e : gangBinds.entrySet()) {
                    GangModel g = e.getKey();
                    if (!allEventsApplied) {
                        // removals still in the intake are news to the agent: it planned on what it knew
                        continue;
                    }
                    assertThat(g.declared).as("%s: gang %s bound before its PodGroup exists", where(), g.spec.key()).isTrue();
                    assertThat(g.placed()).as("%s: gang %s got %d bind(s) in one cycle but has only %d of minMember %d placed",
                            where(), g.spec.key(), e.getValue(), g.placed(), g.spec.minMember())
                            .isGreaterThanOrEqualTo(g.spec.minMember());
                }
                assertThat(agent.errors()).as("%s: errors, last: %s", where(), agent.lastError()).isZero();
                if (work == 0) {
                    assertThat(intake.size()).isZero();
                    try {
                        agent.verifyNothingParkedCouldBePlaced();
                    } catch (IllegalStateException e) {
                        throw new AssertionError(where() + ": settled with room unused: " + e.getMessage(), e);
                    }
                    checkAgreement();
                    checkCapacity();
                    return;
                }
            }
            throw new AssertionError(where() + ": the agent did not settle in 10000 duty cycles");
        }

        private void onBind(RecordingOutbox.Bind b, boolean allEventsApplied, Map<GangModel, Integer> gangBinds) {
            PodModel p = pods.get(b.pod().id());
            assertThat(p).as("%s: bind for pod %s, which was deleted or never existed", where(), b.pod().name()).isNotNull();
            assertThat(p.status).as("%s: pod %s bound twice (to %s, now to %s) with no failed bind or removal between",
                    where(), b.pod().name(), p.node, b.node()).isEqualTo(PENDING);
            assertThat(nodes).as("%s: pod %s bound to %s, which is not (or no longer) in the cluster", where(), b.pod().name(), b.node())
                    .containsKey(b.node());
            if (allEventsApplied) {
                assertThat(nodes.get(b.node()).schedulable()).as("%s: pod %s bound to cordoned node %s", where(), b.pod().name(), b.node())
                        .isTrue();
            }
            p.status = IN_FLIGHT;
            p.node = b.node();
            p.gpuMask = b.gpuMask();
            inFlight.add(p);
            if (p.gang != null) {
                gangBinds.merge(p.gang, 1, Integer::sum);
            }
        }

        private void onEviction(RecordingOutbox.Eviction e, boolean allEventsApplied) {
            PodModel p = pods.get(e.pod().id());
            if (p == null && !allEventsApplied && removedThisStep.contains(e.pod().id())) {
                // its deletion is still in the intake (small cycles): evicting a pod being deleted is harmless
                return;
            }
            assertThat(p).as("%s: eviction of pod %s, which was deleted or never existed", where(), e.pod().name()).isNotNull();
            assertThat(p.placed()).as("%s: eviction of pod %s, which is not placed", where(), e.pod().name()).isTrue();
            assertThat(p.evicted).as("%s: pod %s evicted twice", where(), e.pod().name()).isFalse();
            p.evicted = true;
            toDelete.add(p);
        }

        /** The agent places exactly the pods the binds placed, where they placed them. */
        private void checkAgreement() {
            ClusterState state = agent.state();
            for (PodModel p : pods.values()) {
                int expected = p.placed() ? state.nodeId(p.node) : ClusterState.NO_NODE;
                assertThat(agent.nodeOf(p.spec.id())).as("%s: node of pod %s (model: %s)", where(), p.spec.name(),
                        p.placed() ? p.node : "pending").isEqualTo(expected);
                if (p.placed()) {
                    assertThat(expected).as("%s: node %s of pod %s is unknown to the agent", where(), p.node, p.spec.name())
                            .isNotEqualTo(ClusterState.NO_NODE);
                    assertThat(state.gpuMaskOf(p.spec.id())).as("%s: GPUs of pod %s", where(), p.spec.name()).isEqualTo(p.gpuMask);
                }
            }
            assertThat(state.placedPods()).as("%s: placed pods", where())
                    .isEqualTo((int) pods.values().stream().filter(PodModel::placed).count());
            for (int node = 0; node < state.nodeSlots(); node++) {
                if (!state.isLive(node)) {
                    continue;
                }
                String name = state.nodeName(node);
                if (!nodes.containsKey(name)) {
                    assertThat(state.podsOnNode(node)).as("%s: node %s was removed and holds no pods, but the agent still has it",
                            where(), name).isPositive();
                    assertThat(state.node(node).schedulable()).as("%s: removed node %s is schedulable", where(), name).isFalse();
                } else {
                    assertThat(state.node(node)).as("%s: spec of node %s", where(), name).isEqualTo(nodes.get(name));
                }
            }
            for (String name : nodes.keySet()) {
                assertThat(state.nodeId(name)).as("%s: node %s unknown to the agent", where(), name).isNotEqualTo(ClusterState.NO_NODE);
            }
            if (toDelete.isEmpty()) {
                for (int q = 0; q < agent.queues().size(); q++) {
                    assertThat(agent.queues().gpuCommitted(q)).as("%s: queue %s with no eviction in flight: committed below held",
                            where(), agent.queues().spec(q).name()).isGreaterThanOrEqualTo(agent.queues().gpuHeld(q));
                }
            }
        }

        /** By the binds alone: no node over its CPU, memory or GPU, no whole GPU shared, the GPU model accepted. */
        private void checkCapacity() {
            Map<String, long[]> used = new HashMap<>();
            Map<String, int[]> milli = new HashMap<>();
            Map<String, int[]> holders = new HashMap<>();
            Map<String, boolean[]> whole = new HashMap<>();
            for (PodModel p : pods.values()) {
                if (!p.placed()) {
                    continue;
                }
                NodeSpec node = lastSpec.get(p.node);
                ResourceRequest r = p.spec.request();
                long[] u = used.computeIfAbsent(p.node, n -> new long[2]);
                u[0] += r.cpuMilli();
                u[1] += r.memoryBytes();
                assertThat(Integer.bitCount(p.gpuMask)).as("%s: GPUs in the mask of %s", where(), p.spec.name()).isEqualTo(r.gpusTouched());
                if (r.asksGpu() && !p.spec.gpuModels().isEmpty()) {
                    assertThat(p.spec.gpuModels()).as("%s: model of %s for %s", where(), p.node, p.spec.name()).contains(node.gpuModel());
                }
                int[] m = milli.computeIfAbsent(p.node, n -> new int[ClusterState.MAX_GPUS]);
                int[] h = holders.computeIfAbsent(p.node, n -> new int[ClusterState.MAX_GPUS]);
                boolean[] w = whole.computeIfAbsent(p.node, n -> new boolean[ClusterState.MAX_GPUS]);
                for (int bits = p.gpuMask; bits != 0; bits &= bits - 1) {
                    int g = Integer.numberOfTrailingZeros(bits);
                    assertThat(g).as("%s: GPU %d of %s (%d GPUs) for %s", where(), g, p.node, node.gpus(), p.spec.name())
                            .isLessThan(node.gpus());
                    m[g] += r.milliPerTouchedGpu();
                    h[g]++;
                    w[g] |= r.gpus() > 0;
                }
            }
            for (Map.Entry<String, long[]> e : used.entrySet()) {
                NodeSpec node = lastSpec.get(e.getKey());
                assertThat(e.getValue()[0]).as("%s: CPU on %s", where(), e.getKey()).isLessThanOrEqualTo(node.cpuMilli());
                assertThat(e.getValue()[1]).as("%s: memory on %s", where(), e.getKey()).isLessThanOrEqualTo(node.memoryBytes());
                int[] m = milli.get(e.getKey());
                for (int g = 0; g < ClusterState.MAX_GPUS; g++) {
                    assertThat(m[g]).as("%s: milli on GPU %d of %s", where(), g, e.getKey()).isLessThanOrEqualTo(1000);
                    if (whole.get(e.getKey())[g]) {
                        assertThat(holders.get(e.getKey())[g]).as("%s: pods on whole GPU %d of %s", where(), g, e.getKey()).isEqualTo(1);
                    }
                }
            }
        }
    }
}
