package io.gantry.core.agent;

import io.gantry.core.model.WorkloadClass;
import io.gantry.core.policy.TaskShape;
import io.gantry.core.policy.TaskShapeDistribution;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns the task-shape distribution FGD measures fragmentation against, when the config gives none
 * (a live cluster, unlike a trace, does not know its workload in advance).
 *
 * <p>Training pods count by arrival, with the counts halved after every window of
 * {@code windowArrivals} arrivals, so the distribution follows a changing mix and forgets old shapes
 * geometrically. Inference replicas count by how many are alive (pending or placed): a service's
 * replicas are a known, stable part of the demand, present for as long as it runs, whatever their
 * arrival rate. The most frequent shapes are kept until they cover {@link TaskShapeDistribution#PAPER_COVERAGE}
 * of the weight, as the paper does for a trace.
 *
 * <p>A new distribution costs FGD a rescore of every node for each shape it next decides, so it is
 * adopted only when it is worth it: at most once per {@code minIntervalNanos}, after a full window,
 * and only when it moved by at least {@code minChange} in total variation distance from the one in
 * use. Counting is a field increment per arrival; everything else runs at most once per window.
 */
final class TaskShapeLearner {
    private final int windowArrivals;
    private final long minIntervalNanos;
    private final double minChange;
    private int arrivalsInWindow;
    private long adoptedAt = Long.MIN_VALUE;
    private TaskShapeDistribution current = TaskShapeDistribution.EMPTY;
    private long adoptions;

    TaskShapeLearner(int windowArrivals, long minIntervalNanos, double minChange) {
        if (windowArrivals < 1 || minIntervalNanos < 0 || !(minChange >= 0 && minChange <= 1)) {
            throw new IllegalArgumentException("task shape learner: window " + windowArrivals + " arrivals, interval "
                    + minIntervalNanos + " ns, change " + minChange);
        }
        this.windowArrivals = windowArrivals;
        this.minIntervalNanos = minIntervalNanos;
        this.minChange = minChange;
    }

    /** A Gantry pod arrived (not a pod bound by someone else). */
    void arrived(PodRecord pod) {
        if (pod.spec.workloadClass() == WorkloadClass.INFERENCE) {
            pod.shape.liveReplicas++;
            pod.countedLive = true;
        } else {
            pod.shape.recentArrivals++;
        }
        arrivalsInWindow++;
    }

    /** The pod is gone; a replica counted live stops counting. */
    void departed(PodRecord pod) {
        if (pod.countedLive) {
            pod.shape.liveReplicas--;
            pod.countedLive = false;
        }
    }

    /** A pending pod changed its spec (and perhaps its class): a replica counts live again, not as an arrival. */
    void rejoined(PodRecord pod) {
        if (pod.spec.workloadClass() == WorkloadClass.INFERENCE) {
            pod.shape.liveReplicas++;
            pod.countedLive = true;
        }
    }

    /** Whether {@link #relearn} may adopt something now: cheap, checked every duty cycle. */
    boolean due(long now) {
        return arrivalsInWindow >= windowArrivals && (adoptedAt == Long.MIN_VALUE || now - adoptedAt >= minIntervalNanos);
    }

    /**
     * Closes the window: builds the distribution from the counts, halves the arrival counts, and returns
     * the new distribution when it should replace the one in use, else null. Cold: once per window.
     */
    TaskShapeDistribution relearn(List<ShapeClass> shapes, long now) {
        arrivalsInWindow = 0;
        Map<TaskShape, Double> weights = new HashMap<>();
        double total = 0;
        for (ShapeClass shape : shapes) {
            double weight = shape.recentArrivals + shape.liveReplicas;
            shape.recentArrivals /= 2;
            if (weight > 0) {
                weights.merge(TaskShape.of(shape.request, shape.example.gpuModels()), weight, Double::sum);
                total += weight;
            }
        }
        if (total == 0) {
            return null;
        }
        TaskShapeDistribution learned = typical(weights);
        if (!current.isEmpty() && distance(current, learned) < minChange) {
            return null;
        }
        current = learned;
        adoptedAt = now;
        adoptions++;
        return learned;
    }

    TaskShapeDistribution current() {
        return current;
    }

    /** How many distributions were adopted, for metrics and tests. */
    long adoptions() {
        return adoptions;
    }

    /** The heaviest shapes covering {@link TaskShapeDistribution#PAPER_COVERAGE} of the weight, ties by shape order. */
    private static TaskShapeDistribution typical(Map<TaskShape, Double> weights) {
        List<Map.Entry<TaskShape, Double>> byWeight = new ArrayList<>(weights.entrySet());
        byWeight.sort(Map.Entry.<TaskShape, Double>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey(TaskShapeDistribution.ORDER)));
        double total = 0;
        for (Map.Entry<TaskShape, Double> e : byWeight) {
            total += e.getValue();
        }
        Map<TaskShape, Double> kept = new HashMap<>();
        double covered = 0;
        for (Map.Entry<TaskShape, Double> e : byWeight) {
            if (covered >= TaskShapeDistribution.PAPER_COVERAGE * total) {
                break;
            }
            kept.put(e.getKey(), e.getValue());
            covered += e.getValue();
        }
        return TaskShapeDistribution.of(kept);
    }

    /** Total variation distance: half the summed absolute differences of the two weightings. */
    static double distance(TaskShapeDistribution a, TaskShapeDistribution b) {
        Map<TaskShape, Double> diff = new HashMap<>();
        for (int i = 0; i < a.size(); i++) {
            diff.merge(a.shapes().get(i), a.weight(i), Double::sum);
        }
        for (int i = 0; i < b.size(); i++) {
            diff.merge(b.shapes().get(i), -b.weight(i), Double::sum);
        }
        double sum = 0;
        for (double d : diff.values()) {
            sum += Math.abs(d);
        }
        return sum / 2;
    }
}
