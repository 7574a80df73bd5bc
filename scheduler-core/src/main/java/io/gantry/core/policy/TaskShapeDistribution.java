package io.gantry.core.policy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The task shapes a cluster expects and how often each comes, with weights summing to 1: the
 * "typical tasks" the FGD paper measures fragmentation against.
 */
public final class TaskShapeDistribution {
    public static final TaskShapeDistribution EMPTY = new TaskShapeDistribution(List.of(), new double[0]);

    /** The paper keeps the most frequent shapes until they cover this share of all tasks. */
    public static final double PAPER_COVERAGE = 0.95;

    private final List<TaskShape> shapes;
    private final double[] weights;

    private TaskShapeDistribution(List<TaskShape> shapes, double[] weights) {
        this.shapes = List.copyOf(shapes);
        this.weights = weights.clone();
    }

    /** A distribution from explicit weights (normalised to sum to 1). */
    public static TaskShapeDistribution of(Map<TaskShape, Double> weighted) {
        List<TaskShape> shapes = new ArrayList<>(weighted.keySet());
        shapes.sort(ORDER);
        double total = weighted.values().stream().mapToDouble(Double::doubleValue).sum();
        if (!(total > 0)) {
            throw new IllegalArgumentException("task shape weights must sum to more than 0, got " + total);
        }
        double[] w = new double[shapes.size()];
        for (int i = 0; i < w.length; i++) {
            double v = weighted.get(shapes.get(i));
            if (v < 0) {
                throw new IllegalArgumentException("task shape " + shapes.get(i) + ": weight must not be negative, got " + v);
            }
            w[i] = v / total;
        }
        return new TaskShapeDistribution(shapes, w);
    }

    /**
     * The paper's typical tasks: group {@code tasks} by shape, keep the most frequent groups until
     * they cover at least {@code coverage} of the tasks, renormalise. Ties in frequency are broken by a
     * fixed order of the shapes so the result never depends on input order.
     */
    public static TaskShapeDistribution typical(Collection<TaskShape> tasks, double coverage) {
        if (!(coverage > 0 && coverage <= 1)) {
            throw new IllegalArgumentException("coverage must be in (0, 1], got " + coverage);
        }
        if (tasks.isEmpty()) {
            return EMPTY;
        }
        Map<TaskShape, Integer> counts = new HashMap<>();
        for (TaskShape t : tasks) {
            counts.merge(t, 1, Integer::sum);
        }
        List<Map.Entry<TaskShape, Integer>> byCount = new ArrayList<>(counts.entrySet());
        byCount.sort(Map.Entry.<TaskShape, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey(ORDER)));
        List<TaskShape> kept = new ArrayList<>();
        List<Integer> keptCounts = new ArrayList<>();
        long covered = 0;
        for (Map.Entry<TaskShape, Integer> e : byCount) {
            if (covered >= coverage * tasks.size()) {
                break;
            }
            kept.add(e.getKey());
            keptCounts.add(e.getValue());
            covered += e.getValue();
        }
        double[] w = new double[kept.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = keptCounts.get(i) / (double) covered;
        }
        return new TaskShapeDistribution(kept, w);
    }

    /** A fixed order of shapes (CPU, then GPUs, share, models): breaks ties in weight the same way every time. */
    public static final Comparator<TaskShape> ORDER = Comparator.comparingLong(TaskShape::cpuMilli)
            .thenComparingInt(TaskShape::gpus)
            .thenComparingInt(TaskShape::gpuMilli)
            .thenComparing(s -> String.join("|", new TreeSet<>(s.gpuModels())));

    public List<TaskShape> shapes() {
        return shapes;
    }

    public double weight(int index) {
        return weights[index];
    }

    public int size() {
        return shapes.size();
    }

    public boolean isEmpty() {
        return shapes.isEmpty();
    }
}
