package io.gantry.plugin.kube;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * fabric8's CRUD mock API server with the pieces of real kube-apiserver behaviour the scheduler relies on
 * and the mock lacks. Each piece says which real behaviour it imitates.
 *
 * <ul>
 *   <li><b>Bindings</b> ({@code POST .../pods/NAME/binding} and {@code POST .../bindings}): the real server
 *       sets {@code spec.nodeName}, copies the Binding's annotations onto the pod, adds the condition
 *       {@code PodScheduled=True} (registry/core/pod/storage: assignPod / setPodHostAndAnnotations); it
 *       answers 404 for a missing pod and 409 Conflict when the pod is already bound or the Binding's UID
 *       does not match. The CRUD mock would store the Binding and change nothing.</li>
 *   <li><b>Evictions</b> ({@code POST .../pods/NAME/eviction}): the real server deletes the pod, or answers
 *       429 Too Many Requests when a PodDisruptionBudget does not allow it; here pods named by
 *       {@link #protectByBudget} get the 429.</li>
 *   <li><b>Faults</b>: {@link #failNext} answers the next matching requests with an error status, as an
 *       overloaded or restarting API server would.</li>
 *   <li><b>Request log</b>: every request's verb and path, so tests can list the API calls made.</li>
 * </ul>
 * The mock ignores {@code spec.*} pod field selectors, which real servers honour; Gantry uses none (it
 * watches every pod, because pods bound by any scheduler count against their node), so none is imitated.
 */
public final class ApiServerDispatcher extends KubernetesCrudDispatcher {
    private static final Pattern POD_BINDING = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/binding(\\?.*)?$");
    private static final Pattern BINDINGS = Pattern.compile("^/api/v1/namespaces/([^/]+)/bindings(\\?.*)?$");
    private static final Pattern EVICTION = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/eviction(\\?.*)?$");

    private final KubernetesSerialization json = new KubernetesSerialization();
    private final ApiControlState controls = new ApiControlState();

    /** The tests' controls of this server: faults, budgets, racing binds, the request log, bindings per pod. */
    public ApiControlState controls() {
        return controls;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath();
        controls.record(method, path);
        MockResponse fault = fault(method, path);
        if (fault != null) {
            return fault;
        }
        if ("POST".equals(method)) {
            Matcher m = POD_BINDING.matcher(path);
            if (m.matches()) {
                return bind(m.group(1), m.group(2), request);
            }
            m = BINDINGS.matcher(path);
            if (m.matches()) {
                Binding b = json.unmarshal(request.getUtf8Body(), Binding.class);
                return bind(m.group(1), b.getMetadata().getName(), request);
            }
            m = EVICTION.matcher(path);
            if (m.matches()) {
                return evict(m.group(1), m.group(2), request);
            }
        }
        return super.dispatch(request);
    }

    private MockResponse fault(String method, String path) {
        int code = controls.takeFault(method, path);
        return code == 0 ? null : status(code, "InternalError", "injected fault " + code);
    }

    private synchronized MockResponse bind(String namespace, String name, RecordedRequest request) {
        String racer = controls.takeRacingBind(namespace + "/" + name);
        if (racer != null) {
            Binding first = new io.fabric8.kubernetes.api.model.BindingBuilder().withNewMetadata().withNamespace(namespace)
                    .withName(name).endMetadata().withNewTarget().withKind("Node").withName(racer).endTarget().build();
            bind(namespace, name, new RecordedRequest("HTTP/1.1", HttpMethod.POST, request.getPath(), Headers.builder().build(),
                    new Buffer().writeUtf8(json.asJson(first))));
        }
        Binding binding = json.unmarshal(request.getUtf8Body(), Binding.class);
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        MockResponse got = super.handleGet(podPath);
        if (got.code() == 404) {
            return status(404, "NotFound", "pods \"" + name + "\" not found");
        }
        Pod pod = json.unmarshal(got.getBody().readUtf8(), Pod.class);
        String uid = binding.getMetadata().getUid();
        if (uid != null && !uid.equals(pod.getMetadata().getUid())) {
            return status(409, "Conflict", "Operation cannot be fulfilled on pods/binding \"" + name
                    + "\": Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + pod.getMetadata().getUid());
        }
        if (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty()) {
            return status(409, "Conflict", "Operation cannot be fulfilled on pods/binding \"" + name
                    + "\": pod " + name + " is already assigned to node \"" + pod.getSpec().getNodeName() + "\"");
        }
        pod.getSpec().setNodeName(binding.getTarget().getName());
        if (binding.getMetadata().getAnnotations() != null) {
            Map<String, String> annotations = pod.getMetadata().getAnnotations() == null
                    ? new HashMap<>() : new HashMap<>(pod.getMetadata().getAnnotations());
            annotations.putAll(binding.getMetadata().getAnnotations());
            pod.getMetadata().setAnnotations(annotations);
        }
        if (pod.getStatus() == null) {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
        }
        List<PodCondition> conditions = new ArrayList<>();
        if (pod.getStatus().getConditions() != null) {
            for (PodCondition c : pod.getStatus().getConditions()) {
                if (!"PodScheduled".equals(c.getType())) {
                    conditions.add(c);
                }
            }
        }
        conditions.add(new PodConditionBuilder().withType("PodScheduled").withStatus("True")
                .withLastTransitionTime(Instant.now().toString()).build());
        pod.getStatus().setConditions(conditions);
        MockResponse updated = super.handleUpdate(new RecordedRequest("HTTP/1.1", HttpMethod.PUT, podPath,
                Headers.builder().build(), new Buffer().writeUtf8(json.asJson(pod))));
        if (updated.code() >= 300) {
            return updated;
        }
        controls.bound(namespace + "/" + name);
        return status(201, "Success", "");
    }

    private synchronized MockResponse evict(String namespace, String name, RecordedRequest request) {
        Eviction eviction = json.unmarshal(request.getUtf8Body(), Eviction.class);
        String podPath = "/api/v1/namespaces/" + namespace + "/pods/" + name;
        MockResponse got = super.handleGet(podPath);
        if (got.code() == 404) {
            return status(404, "NotFound", "pods \"" + name + "\" not found");
        }
        Pod pod = json.unmarshal(got.getBody().readUtf8(), Pod.class);
        if (eviction.getDeleteOptions() != null && eviction.getDeleteOptions().getPreconditions() != null
                && eviction.getDeleteOptions().getPreconditions().getUid() != null
                && !eviction.getDeleteOptions().getPreconditions().getUid().equals(pod.getMetadata().getUid())) {
            return status(409, "Conflict", "Precondition failed: UID");
        }
        if (controls.budgetProtects(namespace + "/" + name)) {
            return status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
        }
        super.handleDelete(podPath);
        return status(201, "Success", "");
    }

    private MockResponse status(int code, String reason, String message) {
        Status status = new StatusBuilder().withStatus(code < 300 ? "Success" : "Failure").withCode(code)
                .withReason(code < 300 ? null : reason).withMessage(message).build();
        return new MockResponse().setResponseCode(code).setBody(json.asJson(status));
    }
}
