package io.gantry.core.agent;

import io.gantry.core.model.ResourceRequest;
import io.gantry.core.state.ClusterState;
import io.gantry.core.state.GpuModelRegistry;
import io.gantry.core.state.PlacementRequest;

import java.util.Arrays;

/**
 * The shape classes something waits on, filed by the GPU bucket they need, so that a node whose
 * room grew visits only the classes that could fit there: CPU-only classes always; whole-GPU classes
 * asking at most its fully free GPUs; fractional classes asking at most its largest free share; and
 * of those only the classes that accept its GPU model (or any model).
 *
 * <p>A class's buckets are (model slot, need): slot 0 for "any model", slot m + 1 for GPU model id m
 * (a class accepting two models is filed under both); need 0 for CPU only, g for g whole GPUs,
 * {@code MAX_GPUS + 1 + milli / SHARE_STEP} for a share. {@link #collect} lists a superset of the
 * filed classes that fit the node (the caller tests each), never one twice.
 *
 * <p>Filing and unfiling are O(models accepted); collecting is O(buckets in range + classes listed).
 * Allocates only when a bucket or the class table grows. Agent thread only.
 */
final class ShapeWakeIndex {
    private static final int MAX_GPUS = ResourceRequest.MAX_GPUS;
    private static final int SHARE_STEP = 10;
    private static final int SHARE_KEYS = ResourceRequest.MILLI_PER_GPU / SHARE_STEP + 1;
    private static final int NEEDS = 1 + MAX_GPUS + SHARE_KEYS;
    private static final int SLOTS = GpuModelRegistry.MAX_MODELS + 1;

    private final ShapeClass[][] buckets = new ShapeClass[SLOTS * NEEDS][];
    private final int[] sizes = new int[SLOTS * NEEDS];
    private int filed;

    /** Files {@code shape} under the buckets of what its probe asks. */
    void add(ShapeClass shape) {
        if (shape.filedCount != 0) {
            throw new IllegalStateException(shape + " is filed already");
        }
        PlacementRequest probe = shape.probe;
        int need = needOf(probe);
        long mask = probe.modelMask();
        if (!probe.asksGpu() || mask == 0) {
            file(shape, need); // slot 0: any model
        } else {
            for (long bits = mask; bits != 0; bits &= bits - 1) {
                file(shape, (Long.numberOfTrailingZeros(bits) + 1) * NEEDS + need);
            }
        }
        filed++;
    }

    /** Takes {@code shape} out of every bucket; a no-op when it is not filed. */
    void remove(ShapeClass shape) {
        if (shape.filedCount == 0) {
            return;
        }
        for (int i = 0; i < shape.filedCount; i++) {
            int bucket = shape.filedBuckets[i];
            int slot = shape.filedSlots[i];
            ShapeClass[] list = buckets[bucket];
            int last = --sizes[bucket];
            ShapeClass moved = list[last];
            list[slot] = moved;
            list[last] = null;
            if (moved != shape) {
                for (int j = 0; j < moved.filedCount; j++) {
                    if (moved.filedBuckets[j] == bucket) {
                        moved.filedSlots[j] = slot;
                        break;
                    }
                }
            }
        }
        shape.filedCount = 0;
        filed--;
    }

    boolean isFiled(ShapeClass shape) {
        return shape.filedCount != 0;
    }

    /** Classes filed now. */
    int size() {
        return filed;
    }

    /**
     * Lists into {@code out} (which must hold {@link #size()} classes) the filed classes that could fit
     * {@code node} as it is now, by GPU need and model; returns how many.
     */
    int collect(ClusterState state, int node, ShapeClass[] out) {
        int n = copy(0, out, 0); // CPU only
        if (state.gpuCount(node) == 0) {
            return n;
        }
        int whole = Math.min(state.freeWholeGpus(node), MAX_GPUS);
        int shareKey = state.largestFreeShare(node) / SHARE_STEP;
        int modelSlot = (state.gpuModelId(node) + 1) * NEEDS;
        for (int g = 1; g <= whole; g++) {
            n = copy(g, out, n);
            n = copy(modelSlot + g, out, n);
        }
        for (int k = 0; k <= shareKey; k++) {
            n = copy(1 + MAX_GPUS + k, out, n);
            n = copy(modelSlot + 1 + MAX_GPUS + k, out, n);
        }
        return n;
    }

    private int copy(int bucket, ShapeClass[] out, int n) {
        int size = sizes[bucket];
        if (size > 0) {
            System.arraycopy(buckets[bucket], 0, out, n, size);
        }
        return n + size;
    }

    private void file(ShapeClass shape, int bucket) {
        ShapeClass[] list = buckets[bucket];
        if (list == null) {
            list = buckets[bucket] = new ShapeClass[4];
        } else if (sizes[bucket] == list.length) {
            list = buckets[bucket] = Arrays.copyOf(list, list.length * 2);
        }
        int slot = sizes[bucket]++;
        list[slot] = shape;
        if (shape.filedCount == shape.filedBuckets.length) {
            shape.filedBuckets = Arrays.copyOf(shape.filedBuckets, shape.filedCount * 2);
            shape.filedSlots = Arrays.copyOf(shape.filedSlots, shape.filedCount * 2);
        }
        shape.filedBuckets[shape.filedCount] = bucket;
        shape.filedSlots[shape.filedCount] = slot;
        shape.filedCount++;
    }

    /** 0 for CPU only, g for g whole GPUs, past MAX_GPUS for a share by its step. */
    private static int needOf(PlacementRequest probe) {
        if (probe.gpus() > 0) {
            return Math.min(probe.gpus(), MAX_GPUS);
        }
        if (probe.gpuMilli() > 0) {
            return 1 + MAX_GPUS + probe.gpuMilli() / SHARE_STEP;
        }
        return 0;
    }
}
