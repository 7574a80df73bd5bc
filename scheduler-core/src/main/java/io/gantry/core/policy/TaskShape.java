package io.gantry.core.policy;

import io.gantry.core.model.ResourceRequest;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The shape of a task as FGD sees it: CPU, GPU (whole count or one share) and acceptable GPU models.
 * Memory is left out on purpose: the paper groups tasks without it.
 */
public record TaskShape(long cpuMilli, int gpus, int gpuMilli, Set<String> gpuModels) {
    public TaskShape {
        gpuModels = Set.copyOf(Objects.requireNonNull(gpuModels, "gpuModels"));
        new ResourceRequest(cpuMilli, 0, gpus, gpuMilli, 0).validate("task shape");
    }

    public static TaskShape of(ResourceRequest request, Set<String> gpuModels) {
        return new TaskShape(request.cpuMilli(), request.gpus(), request.gpuMilli(), gpuModels);
    }

    public boolean asksGpu() {
        return gpus > 0 || gpuMilli > 0;
    }

    @Override
    public String toString() {
        String gpu = gpus > 0 ? gpus + " GPU" : gpuMilli > 0 ? gpuMilli + " mGPU" : "no GPU";
        return cpuMilli + "m CPU, " + gpu + (gpuModels.isEmpty() ? "" : " " + String.join("|", new TreeSet<>(gpuModels)));
    }
}
