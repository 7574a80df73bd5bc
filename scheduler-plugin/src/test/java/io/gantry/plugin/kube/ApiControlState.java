package io.gantry.plugin.kube;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The state behind {@link ApiControls}, shared by both test API servers ({@link ApiServerDispatcher}
 * and {@link InMemoryApiServer}): the tests' settings (faults, budgets, racing binds) and what the
 * servers saw (the request log, bindings per pod). Thread-safe: servers answer on many threads.
 */
public final class ApiControlState implements ApiControls {
    private record Fault(String method, Pattern path, int code, int[] remaining) {
    }

    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final Set<String> budgetProtected = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> bindings = new ConcurrentHashMap<>();
    private final Map<String, String> racingBinds = new ConcurrentHashMap<>();
    private volatile boolean recordCalls = true;

    @Override
    public void failNext(String method, String pathRegex, int code, int times) {
        faults.add(new Fault(method, Pattern.compile(pathRegex), code, new int[] {times}));
    }

    @Override
    public void protectByBudget(String podKey) {
        budgetProtected.add(podKey);
    }

    @Override
    public void unprotect(String podKey) {
        budgetProtected.remove(podKey);
    }

    @Override
    public void bindElsewhereFirst(String podKey, String node) {
        racingBinds.put(podKey, node);
    }

    @Override
    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    @Override
    public Map<String, Integer> bindingsByPod() {
        return new HashMap<>(bindings);
    }

    /** Whether to keep the request log; a long benchmark turns it off. */
    void recordCalls(boolean on) {
        recordCalls = on;
    }

    /** Logs a request ({@code path} with its query, if any). */
    void record(String method, String path) {
        if (recordCalls) {
            calls.add(new Call(method, path));
        }
    }

    /** The status code of an injected fault for this request, using one of its shots, or 0 when none applies. */
    int takeFault(String method, String path) {
        for (Fault f : faults) {
            if (f.method().equals(method) && f.path().matcher(path).find()) {
                synchronized (f) {
                    if (f.remaining()[0] > 0) {
                        f.remaining()[0]--;
                        return f.code();
                    }
                }
            }
        }
        return 0;
    }

    /** The node another scheduler binds {@code podKey} to just before this binding, or null; asked once per binding. */
    String takeRacingBind(String podKey) {
        return racingBinds.remove(podKey);
    }

    void bound(String podKey) {
        bindings.merge(podKey, 1, Integer::sum);
    }

    boolean budgetProtects(String podKey) {
        return budgetProtected.contains(podKey);
    }
}
