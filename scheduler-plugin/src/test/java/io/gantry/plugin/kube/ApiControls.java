package io.gantry.plugin.kube;

import java.util.List;
import java.util.Map;

/**
 * What the integration tests ask of a test API server beyond the Kubernetes API: fault injection, a
 * racing scheduler, disruption budgets, and a record of calls and bindings. Both test servers
 * ({@link ApiServerDispatcher} behind fabric8's mock, and {@link InMemoryApiServer}) offer them; a real
 * API server cannot, so against one these calls skip the test (see {@link TestCluster}).
 */
public interface ApiControls {
    /** One recorded API call. */
    record Call(String method, String path) {
    }

    /** The next {@code times} requests with this method whose path matches {@code pathRegex} get {@code code}. */
    void failNext(String method, String pathRegex, int code, int times);

    /** Evicting this pod ({@code namespace/name}) is refused with 429, as a PodDisruptionBudget would. */
    void protectByBudget(String podKey);

    void unprotect(String podKey);

    /**
     * When a binding for {@code podKey} arrives, another scheduler binds the pod to {@code node} just
     * before it, as in a race between two schedulers (or a former leader's bind still in flight).
     */
    void bindElsewhereFirst(String podKey, String node);

    /** Every request so far, in arrival order. */
    List<Call> calls();

    /** Successful bindings per pod ({@code namespace/name}): more than one would be a double bind. */
    Map<String, Integer> bindingsByPod();
}
