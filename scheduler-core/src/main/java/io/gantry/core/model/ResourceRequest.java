package io.gantry.core.model;

/**
 * What one pod asks for. A pod asks either for {@code gpus} whole GPUs, or for a fractional share of
 * one GPU of {@code gpuMilli} thousandths (1..999), never both.
 *
 * @param cpuMilli       CPU in thousandths of a core
 * @param memoryBytes    memory in bytes
 * @param gpus           whole GPUs, each used exclusively
 * @param gpuMilli       fractional share of a single GPU, 1..999, or 0
 * @param gpuMemoryBytes GPU memory the pod needs on each GPU it uses, or 0 when it does not say
 */
public record ResourceRequest(long cpuMilli, long memoryBytes, int gpus, int gpuMilli, long gpuMemoryBytes) {

    /** Whole GPUs one pod may ask for; also the most GPUs one node may have. */
    public static final int MAX_GPUS = 16;

    public static final int MILLI_PER_GPU = 1000;

    public static final ResourceRequest NONE = new ResourceRequest(0, 0, 0, 0, 0);

    public static ResourceRequest cpuOnly(long cpuMilli, long memoryBytes) {
        return new ResourceRequest(cpuMilli, memoryBytes, 0, 0, 0);
    }

    public static ResourceRequest wholeGpus(long cpuMilli, long memoryBytes, int gpus) {
        return new ResourceRequest(cpuMilli, memoryBytes, gpus, 0, 0);
    }

    public static ResourceRequest gpuShare(long cpuMilli, long memoryBytes, int gpuMilli) {
        return new ResourceRequest(cpuMilli, memoryBytes, 0, gpuMilli, 0);
    }

    /** Throws {@link InvalidSpecException} naming {@code podName} and the field when this request is impossible. */
    public ResourceRequest validate(String podName) {
        if (cpuMilli < 0) {
            throw new InvalidSpecException("pod", podName, "cpuMilli", "must not be negative, got " + cpuMilli);
        }
        if (memoryBytes < 0) {
            throw new InvalidSpecException("pod", podName, "memoryBytes", "must not be negative, got " + memoryBytes);
        }
        if (gpus < 0 || gpus > MAX_GPUS) {
            throw new InvalidSpecException("pod", podName, "gpus", "must be 0.." + MAX_GPUS + ", got " + gpus);
        }
        if (gpuMilli < 0 || gpuMilli >= MILLI_PER_GPU) {
            throw new InvalidSpecException("pod", podName, "gpuMilli",
                    "must be 1..999 for a fractional share (or 0), got " + gpuMilli);
        }
        if (gpus > 0 && gpuMilli > 0) {
            throw new InvalidSpecException("pod", podName, "gpuMilli",
                    "must be 0 when whole GPUs are asked (gpus=" + gpus + "), got " + gpuMilli);
        }
        if (gpuMemoryBytes < 0) {
            throw new InvalidSpecException("pod", podName, "gpuMemoryBytes", "must not be negative, got " + gpuMemoryBytes);
        }
        return this;
    }

    public boolean asksGpu() {
        return gpus > 0 || gpuMilli > 0;
    }

    public boolean isFractional() {
        return gpuMilli > 0;
    }

    /** GPU asked in thousandths: 1000 per whole GPU, or the fractional share. */
    public long totalGpuMilli() {
        return gpus > 0 ? (long) gpus * MILLI_PER_GPU : gpuMilli;
    }

    /** GPUs the pod touches: its whole GPUs, or 1 for a share, or 0. */
    public int gpusTouched() {
        return gpus > 0 ? gpus : (gpuMilli > 0 ? 1 : 0);
    }

    /** Milli the pod takes on each GPU it touches. */
    public int milliPerTouchedGpu() {
        return gpus > 0 ? MILLI_PER_GPU : gpuMilli;
    }
}
