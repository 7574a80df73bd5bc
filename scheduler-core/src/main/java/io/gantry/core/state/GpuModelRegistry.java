package io.gantry.core.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns GPU model names as small ints so that a pod's set of acceptable models is one {@code long}
 * bit mask and the model check on the hot path is a single AND. One registry per {@link ClusterState}.
 */
public final class GpuModelRegistry {
    /** A bit mask holds this many models; more distinct models than this in one cluster is an error. */
    public static final int MAX_MODELS = Long.SIZE;

    /** Model id of a node without GPUs. */
    public static final int NO_MODEL = -1;

    private final Map<String, Integer> idByName = new HashMap<>();
    private final List<String> names = new ArrayList<>();

    /** Returns the id of {@code name}, registering it when new. */
    public int intern(String name) {
        Integer id = idByName.get(name);
        if (id != null) {
            return id;
        }
        if (names.size() == MAX_MODELS) {
            throw new IllegalStateException("GPU model " + name + ": more than " + MAX_MODELS
                    + " distinct GPU models in one cluster are not supported; known: " + names);
        }
        int newId = names.size();
        names.add(name);
        idByName.put(name, newId);
        return newId;
    }

    /** Mask of the given models, registering unknown ones; 0 (meaning any model) for an empty set. */
    public long maskOf(Collection<String> models) {
        long mask = 0;
        for (String model : models) {
            mask |= 1L << intern(model);
        }
        return mask;
    }

    public String name(int id) {
        return names.get(id);
    }

    public int size() {
        return names.size();
    }

    /** Whether a node of {@code modelId} satisfies {@code mask} (0 accepts every model). */
    public static boolean accepts(long mask, int modelId) {
        return mask == 0 || (modelId >= 0 && (mask & (1L << modelId)) != 0);
    }
}
