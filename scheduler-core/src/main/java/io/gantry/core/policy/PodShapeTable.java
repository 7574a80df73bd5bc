package io.gantry.core.policy;

import java.util.Arrays;

/**
 * Gives each distinct pod shape (CPU, memory, whole GPUs, share, model mask) a small slot number, up to a
 * fixed number of shapes, so per-shape caches can be plain arrays. Open addressing over primitive
 * arrays: a lookup allocates nothing.
 */
final class PodShapeTable {
    private final int maxShapes;
    private final int mask;
    private final long[] cpu;
    private final long[] memory;
    private final int[] gpus;
    private final int[] milli;
    private final long[] models;
    private final int[] slot;
    private int size;

    PodShapeTable(int maxShapes) {
        this.maxShapes = maxShapes;
        int capacity = Integer.highestOneBit(maxShapes * 4 - 1) << 1;
        this.mask = capacity - 1;
        this.cpu = new long[capacity];
        this.memory = new long[capacity];
        this.gpus = new int[capacity];
        this.milli = new int[capacity];
        this.models = new long[capacity];
        this.slot = new int[capacity];
        Arrays.fill(slot, -1);
    }

    /** The slot of this shape, assigning the next free one when new; -1 when the table is full. */
    int slotOf(long cpuMilli, long memoryBytes, int wholeGpus, int gpuMilli, long modelMask) {
        long h = cpuMilli * 0x9E3779B97F4A7C15L ^ memoryBytes * 0xD6E8FEB86659FD93L ^ (wholeGpus * 31L + gpuMilli) * 0xC2B2AE3D27D4EB4FL ^ modelMask * 0x165667B19E3779F9L;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (slot[i] != -1) {
            if (cpu[i] == cpuMilli && memory[i] == memoryBytes && gpus[i] == wholeGpus && milli[i] == gpuMilli && models[i] == modelMask) {
                return slot[i];
            }
            i = (i + 1) & mask;
        }
        if (size == maxShapes) {
            return -1;
        }
        cpu[i] = cpuMilli;
        memory[i] = memoryBytes;
        gpus[i] = wholeGpus;
        milli[i] = gpuMilli;
        models[i] = modelMask;
        slot[i] = size;
        return size++;
    }

    void clear() {
        Arrays.fill(slot, -1);
        size = 0;
    }
}
