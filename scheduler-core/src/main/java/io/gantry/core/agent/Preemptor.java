package io.gantry.core.agent;

import io.gantry.core.gang.GangPlanner;
import io.gantry.core.model.WorkloadClass;
import io.gantry.core.policy.PlacementPolicy;
import io.gantry.core.queue.QueueBook;
import io.gantry.core.queue.QueuedUnit;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.PlacementRequest;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses victims for a unit (pod or gang) that does not fit, and only when evicting them would let it
 * fit: every step is tried on the cluster state itself, with the victims' placements released
 * tentatively and restored exactly before anything is evicted.
 *
 * <p>Eligible victims are Gantry-placed pods of lower priority, or, for quota reclaim, pods of another
 * queue that holds more than its guarantee while the preemptor's queue would stay within its own.
 * Inference pods are spared unless configured preemptible; pods already being evicted are not counted
 * twice. A gang member whose eviction would drop its gang below {@code minMember} brings the whole
 * gang in as one victim. Victims are taken lowest priority first, then from borrowing queues, then
 * smallest, then newest; then any victim not needed after all is given back. Equal priority never
 * preempts except as quota reclaim.
 *
 * <p>Cold path: runs only for units that failed to place, at most once per unit until its victims are
 * gone. O(victims x decision) in the worst case.
 */
final class Preemptor {
    private final ClusterState state;
    private final QueueBook queues;
    private final SchedulerConfig config;

    Preemptor(ClusterState state, QueueBook queues, SchedulerConfig config) {
        this.state = state;
        this.queues = queues;
        this.config = config;
    }

    /** A victim: one pod, or every placed member of a gang. */
    private record Victim(List<PodRecord> pods, int priority, boolean borrowing, long newestArrival) {
    }

    boolean tryPreempt(PodRecord pod, SchedulerAgent agent) {
        List<Victim> victims = victimsFor(pod, pod.request.totalGpuMilli(), agent);
        if (victims.isEmpty()) {
            return false;
        }
        return choose(victims, pod, agent, () -> agent.placerFor(pod).decide(pod.request, agent.reservationFilterFor(pod)).isPlaced());
    }

    boolean tryPreemptGang(GangRecord gang, PlacementRequest[] members, int count, int need, PlacementPolicy policy, SchedulerAgent agent) {
        long gpu = 0;
        for (int i = 0; i < need; i++) {
            gpu += members[i].totalGpuMilli();
        }
        List<Victim> victims = victimsFor(gang, gpu, agent);
        if (victims.isEmpty()) {
            return false;
        }
        GangPlanner planner = agent.planner();
        return choose(victims, gang, agent, () -> {
            boolean fits = planner.plan(members, count, need, gang.spec, policy, agent.reservationFilterFor(gang));
            planner.rollback();
            return fits;
        });
    }

    private interface FitCheck {
        boolean fits();
    }

    private boolean choose(List<Victim> victims, QueuedUnit unit, SchedulerAgent agent, FitCheck check) {
        for (Victim v : victims) {
            release(v);
        }
        boolean possible = check.fits();
        for (int i = victims.size() - 1; i >= 0; i--) {
            restore(victims.get(i));
        }
        if (!possible) {
            return false; // idle plus preemptible capacity is short: evict nothing
        }
        int taken = 0;
        boolean fits = false;
        while (taken < victims.size() && !fits) {
            release(victims.get(taken++));
            fits = check.fits();
        }
        boolean[] needed = new boolean[taken];
        java.util.Arrays.fill(needed, true);
        for (int i = taken - 2; i >= 0; i--) {
            restore(victims.get(i));
            if (check.fits()) {
                needed[i] = false;
            } else {
                release(victims.get(i));
            }
        }
        for (int i = taken - 1; i >= 0; i--) {
            if (needed[i]) {
                restore(victims.get(i));
            }
        }
        for (int i = 0; i < taken; i++) {
            if (needed[i]) {
                for (PodRecord pod : victims.get(i).pods()) {
                    agent.evict(pod, unit, "preempted by " + unit.name() + " (priority " + unit.priority() + ")");
                }
            }
        }
        return true;
    }

    private void release(Victim v) {
        for (PodRecord pod : v.pods()) {
            state.release(pod.id());
        }
    }

    private void restore(Victim v) {
        for (int i = v.pods().size() - 1; i >= 0; i--) {
            PodRecord pod = v.pods().get(i);
            state.assume(pod.request, pod.node, pod.gpuMask);
        }
    }

    /**
     * Whether a try for {@code unit} could find any victim at all: false means {@link #tryPreempt} and
     * {@link #tryPreemptGang} would return false at once and change nothing.
     */
    boolean mayFindVictims(QueuedUnit unit, long gpuAsked, SchedulerAgent agent) {
        return reclaims(unit, gpuAsked) || agent.hasPlacedBelow(unit.priority());
    }

    private boolean reclaims(QueuedUnit unit, long gpuAsked) {
        return queues.staysWithinGuarantee(unit.queue(), gpuAsked) && queues.anyBorrowingExcept(unit.queue());
    }

    private List<Victim> victimsFor(QueuedUnit unit, long gpuAsked, SchedulerAgent agent) {
        boolean reclaiming = reclaims(unit, gpuAsked);
        if (!reclaiming && !agent.hasPlacedBelow(unit.priority())) {
            return List.of(); // the common case when nothing could be evicted: no scan of every pod
        }
        List<Victim> out = new ArrayList<>();
        java.util.Set<GangRecord> gangsTaken = new java.util.HashSet<>();
        long[] reclaimedFrom = new long[queues.size()];
        for (PodRecord pod : agent.placedPods()) {
            if (!eligible(pod, unit, reclaiming, agent.now())) {
                continue;
            }
            GangRecord gang = pod.gang;
            if (gang != null && gang.spec != null && gang.placedKept() - 1 < gang.spec.minMember()) {
                if (!gangsTaken.add(gang) || !allEligible(gang, unit, reclaiming, agent.now())) {
                    continue;
                }
                List<PodRecord> members = new ArrayList<>();
                long newest = 0;
                for (PodRecord m : gang.members) {
                    if (m.isPlaced()) {
                        members.add(m);
                        newest = Math.max(newest, m.arrivalSeq());
                    }
                }
                out.add(new Victim(members, gang.priority(), queues.isBorrowing(gang.queue()), newest));
            } else {
                out.add(new Victim(List.of(pod), pod.priority(), queues.isBorrowing(pod.queue()), pod.arrivalSeq()));
            }
        }
        out.sort(Comparator.comparingInt(Victim::priority)
                .thenComparing(v -> !v.borrowing())
                .thenComparingInt(v -> v.pods().size())
                .thenComparing(Comparator.comparingLong(Victim::newestArrival).reversed()));
        if (!reclaiming) {
            return out;
        }
        // quota reclaim takes no more from a queue than it borrowed
        List<Victim> bounded = new ArrayList<>();
        for (Victim v : out) {
            int q = v.pods().get(0).queue();
            long gpu = 0;
            for (PodRecord p : v.pods()) {
                gpu += p.request.totalGpuMilli();
            }
            boolean byPriority = v.priority() < unit.priority();
            if (byPriority || queues.gpuCommitted(q) - reclaimedFrom[q] > queues.spec(q).guaranteedGpuMilli()) {
                reclaimedFrom[q] += byPriority ? 0 : gpu;
                bounded.add(v);
            }
        }
        return bounded;
    }

    private boolean allEligible(GangRecord gang, QueuedUnit unit, boolean reclaiming, long now) {
        for (PodRecord m : gang.members) {
            if (m.isPlaced() && !eligible(m, unit, reclaiming, now)) {
                return false;
            }
        }
        return true;
    }

    private boolean eligible(PodRecord victim, QueuedUnit unit, boolean reclaiming, long now) {
        if (victim.status != PodRecord.ASSUMED && victim.status != PodRecord.BOUND) {
            return false;
        }
        if (victim.evicting || victim == unit || (unit instanceof GangRecord g && victim.gang == g)) {
            return false;
        }
        if (victim.protectedUntil - now > 0) {
            return false;
        }
        if (!config.inferencePreemptible() && victim.spec.workloadClass() == WorkloadClass.INFERENCE) {
            return false;
        }
        if (victim.priority() < unit.priority()) {
            return true;
        }
        return reclaiming && victim.priority() <= unit.priority() && victim.queue() != unit.queue()
                && queues.isBorrowing(victim.queue());
    }
}
