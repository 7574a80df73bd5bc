package io.gantry.plugin.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small, fast Kubernetes API server in memory, for integration tests and the end-to-end throughput
 * benchmark: plain JSON over HTTP/1.1 (the JDK's {@code com.sun.net.httpserver}), objects in maps keyed by
 * {@code namespace/name}, one resourceVersion counter, and watches streamed as chunked JSON lines. Every
 * request costs O(log n) in the number of stored objects except lists, unlike fabric8's CRUD mock, whose
 * store scans every object per request (about 40 pod creations a second at 10,000 pods). Each resource has its
 * own lock, held only to check and commit; JSON is parsed and written outside it.
 *
 * <p>What it imitates of kube-apiserver, and how far:
 * <ul>
 *   <li><b>CRUD</b> of any resource by path ({@code /api/v1/...}, {@code /apis/GROUP/VERSION/...}, namespaced
 *       or cluster-scoped): create answers 201 and sets {@code uid}, {@code resourceVersion},
 *       {@code creationTimestamp} (and the name from {@code generateName}), a pod without status gets
 *       {@code phase: Pending}, 409 AlreadyExists for a taken
 *       name; get 404 NotFound; update (PUT) 409 Conflict when the body's resourceVersion is not the stored
 *       one; delete removes at once and answers the object (no graceful deletion, no finalizers, no
 *       garbage collection); create keeps a pod's status as sent (the real server resets it to Pending).</li>
 *   <li><b>Patch</b>: JSON merge patch (RFC 7386), JSON patch (RFC 6902: add, remove, replace, test) and
 *       strategic merge patch treated as a merge patch (lists are replaced, not merged by key; Gantry sends
 *       none that relies on it).</li>
 *   <li><b>Status subresource</b> ({@code .../NAME/status}): PUT and PATCH change only {@code status}, as
 *       for every built-in resource and CRDs with the status subresource.</li>
 *   <li><b>List and watch</b>: a list carries the current resourceVersion; {@code ?watch=true} streams
 *       ADDED, MODIFIED and DELETED events in resourceVersion order from the given resourceVersion (from a
 *       window of recent events per resource, like the watch cache; older than the window gets the 410 Gone
 *       ERROR event that makes informers list again), or, without one, every existing object as ADDED
 *       first. {@code timeoutSeconds} ends the stream. Label selectors ({@code a=b}, {@code a!=b}, {@code a},
 *       {@code !a}) and field selectors on any field path ({@code metadata.name}, {@code spec.nodeName},
 *       {@code spec.schedulerName}, ...) filter lists and watches; an object that stops matching is not
 *       sent as DELETED. No pagination: a list answers everything in one page, which the API allows.
 *       A WebSocket upgrade is answered 503, after which fabric8 watches over plain HTTP.</li>
 *   <li><b>Bindings</b> ({@code POST .../pods/NAME/binding} and {@code .../bindings}): sets
 *       {@code spec.nodeName}, copies the Binding's annotations onto the pod and adds
 *       {@code PodScheduled=True}, in one write (registry/core/pod/storage: assignPod); 404 for a missing
 *       pod, 409 when it is already bound or the Binding's UID does not match.</li>
 *   <li><b>Evictions</b> ({@code POST .../pods/NAME/eviction}): delete the pod, or 429 TooManyRequests for
 *       pods named by {@link #protectByBudget} (a PodDisruptionBudget's answer); 409 on a UID precondition
 *       mismatch.</li>
 *   <li>Not imitated: authentication, admission, defaulting, validation, namespaces that must exist,
 *       server-side apply, pagination, bookmarks, discovery.</li>
 * </ul>
 * The test controls ({@link #controls()}) are the same as {@link ApiServerDispatcher}'s.
 */
public final class InMemoryApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_HISTORY = 50_000;
    private static final Map<String, String> KINDS = Map.of("pods", "Pod", "nodes", "Node", "events", "Event",
            "leases", "Lease", "podgroups", "PodGroup", "namespaces", "Namespace", "services", "Service",
            "configmaps", "ConfigMap", "poddisruptionbudgets", "PodDisruptionBudget");

    private final int historyPerResource;
    private final HttpServer http;
    private final ExecutorService threads;
    private final Map<String, Resource> resources = new ConcurrentHashMap<>();
    /** The last resourceVersion given out; etcd's revisions never start at 0, and "0" means "any" in a request. */
    private final AtomicLong resourceVersion = new AtomicLong(100);

    private final ApiControlState controls = new ApiControlState();

    /** A stored object: its tree (never changed in place once stored) and its JSON. */
    private record Stored(ObjectNode node, String json) {
    }

    /** One change, as a watch sends it. */
    private record Change(long rv, String type, String namespace, Stored object) {
        String line() {
            return "{\"type\":\"" + type + "\",\"object\":" + object.json + "}\n";
        }
    }

    /** The objects of one resource (group, version, plural), its recent changes and its open watches. */
    private static final class Resource {
        final String apiVersion;
        final String plural;
        /** By key, in key order as etcd lists them; written under the resource's lock, read without it. */
        final Map<String, Stored> objects = new ConcurrentSkipListMap<>();
        final ArrayDeque<Change> history = new ArrayDeque<>();
        final List<Watch> watches = new ArrayList<>();
        long forgottenUpTo;

        Resource(String apiVersion, String plural) {
            this.apiVersion = apiVersion;
            this.plural = plural;
        }

        String kind() {
            for (Stored s : objects.values()) {
                return s.node.path("kind").asText();
            }
            String k = KINDS.get(plural);
            return k != null ? k : Character.toUpperCase(plural.charAt(0)) + plural.substring(1, plural.length() - 1);
        }
    }

    private record Watch(String namespace, Filter filter, LinkedBlockingQueue<String> lines) {
    }

    static {
        // without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK:
        // 40 ms per request. Read once, when the JDK server's configuration class loads.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Starts on a free port of the loopback interface, keeping the last 50,000 changes per resource for watches. */
    public InMemoryApiServer() {
        this(DEFAULT_HISTORY);
    }

    /** Starts on a free port, keeping the last {@code historyPerResource} changes per resource for watches to resume from. */
    public InMemoryApiServer(int historyPerResource) {
        this.historyPerResource = historyPerResource;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a port for the in-memory API server", e);
        }
        AtomicInteger n = new AtomicInteger();
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "api-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
    }

    /** {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://" + http.getAddress().getAddress().getHostAddress() + ":" + http.getAddress().getPort();
    }

    /** Whether to keep the request log; a long benchmark turns it off. */
    public void recordCalls(boolean on) {
        controls.recordCalls(on);
    }

    /** The tests' controls of this server: faults, budgets, racing binds, the request log, bindings per pod. */
    public ApiControlState controls() {
        return controls;
    }

    // ---------------------------------------------------------------- HTTP

    /** An answer: status code and JSON body. */
    private record Answer(int code, String body) {
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String raw = exchange.getRequestURI().getRawQuery();
            controls.record(method, raw == null ? path : path + "?" + raw);
            Answer fault = fault(method, path);
            if (fault != null) {
                send(exchange, fault);
                return;
            }
            if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Upgrade"))) {
                send(exchange, status(503, "ServiceUnavailable", "watch over plain HTTP"));
                return;
            }
            Target target = Target.parse(path);
            if (target == null) {
                send(exchange, status(404, "NotFound", "the server could not find the requested resource " + path));
                return;
            }
            byte[] body = readAll(exchange.getRequestBody());
            if ("GET".equals(method) && target.name == null && "true".equals(query.get("watch"))) {
                watch(exchange, target, query);
                return;
            }
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            send(exchange, dispatch(method, target, query, body, contentType == null ? "" : contentType));
        } catch (RuntimeException e) {
            send(exchange, status(500, "InternalError", e.toString()));
        } finally {
            exchange.close();
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        byte[] bytes = answer.body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(answer.code, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private Answer fault(String method, String path) {
        int code = controls.takeFault(method, path);
        return code == 0 ? null : status(code, "InternalError", "injected fault " + code);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    /** A request path taken apart: {@code /api/v1/namespaces/NS/pods/NAME/SUB} and the like. */
    private record Target(String apiVersion, String namespace, String plural, String name, String subresource) {
        static Target parse(String path) {
            String[] s = path.split("/");
            int i;
            String apiVersion;
            if (s.length >= 3 && "api".equals(s[1])) {
                apiVersion = s[2];
                i = 3;
            } else if (s.length >= 4 && "apis".equals(s[1])) {
                apiVersion = s[2] + "/" + s[3];
                i = 4;
            } else {
                return null;
            }
            int left = s.length - i;
            if (left <= 0) {
                return null;
            }
            String namespace = null;
            if ("namespaces".equals(s[i]) && left >= 3) {
                namespace = decode(s[i + 1]);
                i += 2;
                left -= 2;
            }
            String plural = s[i];
            String name = left >= 2 ? decode(s[i + 1]) : null;
            String sub = left >= 3 ? s[i + 2] : null;
            return new Target(apiVersion, namespace, plural, name, sub);
        }

        private static String decode(String segment) {
            return URLDecoder.decode(segment, StandardCharsets.UTF_8);
        }

        String key() {
            return namespace == null ? name : namespace + "/" + name;
        }
    }

    private Answer dispatch(String method, Target t, Map<String, String> query, byte[] body, String contentType) {
        if ("POST".equals(method) && "pods".equals(t.plural) && "binding".equals(t.subresource)) {
            return bind(t.namespace, t.name, body);
        }
        if ("POST".equals(method) && "bindings".equals(t.plural) && t.name == null) {
            JsonNode b = parse(body);
            return bind(t.namespace, b.path("metadata").path("name").asText(), body);
        }
        if ("POST".equals(method) && "pods".equals(t.plural) && "eviction".equals(t.subresource)) {
            return evict(t.namespace, t.name, body);
        }
        if (t.subresource != null && !"status".equals(t.subresource)) {
            return status(404, "NotFound", "no subresource " + t.subresource + " here");
        }
        switch (method) {
            case "GET":
                return t.name == null ? list(t, query) : get(t);
            case "POST":
                return t.name == null ? create(t, (ObjectNode) parse(body)) : status(405, "MethodNotAllowed", "POST on a named object");
            case "PUT":
                return t.name == null ? status(405, "MethodNotAllowed", "PUT on a list") : update(t, (ObjectNode) parse(body));
            case "PATCH":
                return t.name == null ? status(405, "MethodNotAllowed", "PATCH on a list") : patch(t, parse(body), contentType);
            case "DELETE":
                return t.name == null ? status(405, "MethodNotAllowed", "DELETE of a collection") : delete(t);
            default:
                return status(405, "MethodNotAllowed", method);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("request body is not JSON: " + e.getMessage(), e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- store
    // Each resource has its own lock, held only to check preconditions against the stored object and to
    // commit: parsing, building and serialising happen outside it (optimistically, retried when the object
    // changed meanwhile), so concurrent requests do not queue behind one another's JSON work.

    private Resource resource(Target t) {
        return resources.computeIfAbsent(t.apiVersion + "/" + t.plural, k -> new Resource(t.apiVersion, t.plural));
    }

    /** An object serialised ahead of its commit, with a hole for the resourceVersion. */
    private record Draft(ObjectNode node, String head, String tail) {
    }

    private static final String RV_HOLE = "@@gantry-resource-version@@";

    private static Draft draft(ObjectNode node) {
        node.withObject("/metadata").put("resourceVersion", RV_HOLE);
        String json = write(node);
        int hole = json.indexOf(RV_HOLE);
        return new Draft(node, json.substring(0, hole), json.substring(hole + RV_HOLE.length()));
    }

    /** Under r's lock: stores the draft under its key with the next resourceVersion and tells the watches. */
    private Stored commit(Resource r, String key, Draft draft, String type) {
        long rv = resourceVersion.incrementAndGet();
        ObjectNode meta = draft.node.withObject("/metadata");
        meta.put("resourceVersion", Long.toString(rv));
        Stored stored = new Stored(draft.node, draft.head + rv + draft.tail);
        if ("DELETED".equals(type)) {
            r.objects.remove(key);
        } else {
            r.objects.put(key, stored);
        }
        Change change = new Change(rv, type, meta.path("namespace").asText(null), stored);
        r.history.addLast(change);
        if (r.history.size() > historyPerResource) {
            r.forgottenUpTo = r.history.removeFirst().rv;
        }
        if (!r.watches.isEmpty()) {
            String line = null;
            for (Watch w : r.watches) {
                if (matches(w, change)) {
                    if (line == null) {
                        line = change.line();
                    }
                    w.lines.add(line);
                }
            }
        }
        return stored;
    }

    private static boolean matches(Watch w, Change c) {
        return (w.namespace == null || w.namespace.equals(c.namespace)) && w.filter.test(c.object.node);
    }

    private Answer get(Target t) {
        Stored s = resource(t).objects.get(t.key());
        return s == null ? notFound(t) : new Answer(200, s.json);
    }

    private Answer list(Target t, Map<String, String> query) {
        Filter filter = Filter.of(query);
        StringBuilder out = new StringBuilder(4096);
        Resource r = resource(t);
        synchronized (r) {
            out.append("{\"apiVersion\":\"").append(r.apiVersion).append("\",\"kind\":\"").append(r.kind())
                    .append("List\",\"metadata\":{\"resourceVersion\":\"").append(resourceVersion.get()).append("\"},\"items\":[");
            boolean first = true;
            for (Stored s : r.objects.values()) {
                if ((t.namespace == null || t.namespace.equals(s.node.path("metadata").path("namespace").asText(null)))
                        && filter.test(s.node)) {
                    if (!first) {
                        out.append(',');
                    }
                    out.append(s.json);
                    first = false;
                }
            }
        }
        return new Answer(200, out.append("]}").toString());
    }

    private Answer create(Target t, ObjectNode obj) {
        ObjectNode meta = obj.withObject("/metadata");
        if (t.namespace != null) {
            meta.put("namespace", t.namespace);
        }
        if (!meta.hasNonNull("name") && meta.hasNonNull("generateName")) {
            meta.put("name", meta.get("generateName").asText() + UUID.randomUUID().toString().substring(0, 5));
        }
        if (!meta.hasNonNull("name")) {
            return status(422, "Invalid", "metadata.name: Required value");
        }
        Target named = new Target(t.apiVersion, t.namespace, t.plural, meta.get("name").asText(), null);
        Resource r = resource(t);
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now());
        meta.remove("deletionTimestamp");
        if (!obj.hasNonNull("apiVersion")) {
            obj.put("apiVersion", r.apiVersion);
        }
        if ("pods".equals(t.plural) && !obj.has("status")) {
            obj.withObject("/status").put("phase", "Pending");
        }
        Draft draft = draft(obj);
        synchronized (r) {
            if (r.objects.containsKey(named.key())) {
                return status(409, "AlreadyExists", t.plural + " \"" + named.name + "\" already exists");
            }
            return new Answer(201, commit(r, named.key(), draft, "ADDED").json);
        }
    }

    /** What to do with the stored object: a new version, or an answer without a write. */
    private interface Successor {
        Object apply(Stored old);
    }

    /**
     * Reads the stored object, builds its successor outside the lock, and commits it if the object did
     * not change meanwhile (else tries again). {@code change} returns an {@link ObjectNode} to write, or an
     * {@link Answer} to give without writing.
     */
    private Answer change(Target t, String type, int code, Successor change) {
        Resource r = resource(t);
        while (true) {
            Stored old = r.objects.get(t.key());
            if (old == null) {
                return notFound(t);
            }
            Object next = change.apply(old);
            if (next instanceof Answer answer) {
                return answer;
            }
            Draft draft = draft((ObjectNode) next);
            synchronized (r) {
                if (r.objects.get(t.key()) == old) {
                    return new Answer(code, commit(r, t.key(), draft, type).json);
                }
            }
        }
    }

    private Answer update(Target t, ObjectNode obj) {
        return change(t, "MODIFIED", 200, old -> {
            String sentVersion = obj.path("metadata").path("resourceVersion").asText("");
            if (!sentVersion.isEmpty() && !sentVersion.equals(old.node.path("metadata").path("resourceVersion").asText())) {
                return conflict(t);
            }
            return merged(old.node, obj.deepCopy(), t.subresource != null);
        });
    }

    private Answer patch(Target t, JsonNode patch, String contentType) {
        return change(t, "MODIFIED", 200, old -> {
            JsonNode changed;
            if (contentType.startsWith("application/json-patch+json")) {
                changed = JsonPatch.apply(old.node.deepCopy(), (ArrayNode) patch);
                if (changed == null) {
                    return status(422, "Invalid", "a JSON patch test failed or named a missing path");
                }
            } else if (contentType.startsWith("application/merge-patch+json")
                    || contentType.startsWith("application/strategic-merge-patch+json")) {
                changed = JsonPatch.merge(old.node.deepCopy(), patch);
            } else {
                return status(415, "UnsupportedMediaType", "patch type " + contentType);
            }
            String sentVersion = changed.path("metadata").path("resourceVersion").asText("");
            if (!sentVersion.isEmpty() && !sentVersion.equals(old.node.path("metadata").path("resourceVersion").asText())) {
                return conflict(t);
            }
            return merged(old.node, (ObjectNode) changed, t.subresource != null);
        });
    }

    /** The new object: {@code sent} with identity kept from {@code old}; only its status for the status subresource. */
    private static ObjectNode merged(ObjectNode old, ObjectNode sent, boolean statusOnly) {
        ObjectNode out;
        if (statusOnly) {
            out = old.deepCopy();
            if (sent.has("status")) {
                out.set("status", sent.get("status"));
            }
        } else {
            out = sent;
            if (sent.has("status") || !old.has("status")) {
                // a real update of the main resource ignores status; a test that writes status through it is
                // rare enough that keeping what was sent is the more useful choice here
            } else {
                out.set("status", old.get("status"));
            }
            ObjectNode meta = out.withObject("/metadata");
            ObjectNode oldMeta = (ObjectNode) old.get("metadata");
            for (String keep : new String[] {"uid", "creationTimestamp", "namespace", "name"}) {
                if (oldMeta.has(keep)) {
                    meta.set(keep, oldMeta.get(keep));
                }
            }
        }
        if (!out.hasNonNull("kind") && old.hasNonNull("kind")) {
            out.set("kind", old.get("kind"));
        }
        if (!out.hasNonNull("apiVersion") && old.hasNonNull("apiVersion")) {
            out.set("apiVersion", old.get("apiVersion"));
        }
        return out;
    }

    private Answer delete(Target t) {
        return change(t, "DELETED", 200, old -> {
            ObjectNode gone = old.node.deepCopy();
            gone.withObject("/metadata").put("deletionTimestamp", now());
            return gone;
        });
    }

    private Answer bind(String namespace, String name, byte[] body) {
        JsonNode binding = parse(body);
        String racer = controls.takeRacingBind(namespace + "/" + name);
        if (racer != null) {
            ObjectNode first = JsonNodeFactory.instance.objectNode();
            first.withObject("/metadata").put("name", name);
            first.withObject("/target").put("kind", "Node").put("name", racer);
            bind(namespace, name, write(first).getBytes(StandardCharsets.UTF_8));
        }
        Target podTarget = new Target("v1", namespace, "pods", name, null);
        Answer answer = change(podTarget, "MODIFIED", 201, old -> {
            String uid = binding.path("metadata").path("uid").asText("");
            String podUid = old.node.path("metadata").path("uid").asText();
            if (!uid.isEmpty() && !uid.equals(podUid)) {
                return status(409, "Conflict", "Operation cannot be fulfilled on pods/binding \"" + name
                        + "\": Precondition failed: UID in precondition: " + uid + ", UID in object meta: " + podUid);
            }
            String boundTo = old.node.path("spec").path("nodeName").asText("");
            if (!boundTo.isEmpty()) {
                return status(409, "Conflict", "Operation cannot be fulfilled on pods/binding \"" + name
                        + "\": pod " + name + " is already assigned to node \"" + boundTo + "\"");
            }
            ObjectNode pod = old.node.deepCopy();
            pod.withObject("/spec").put("nodeName", binding.path("target").path("name").asText());
            JsonNode annotations = binding.path("metadata").path("annotations");
            if (annotations.isObject()) {
                pod.withObject("/metadata").withObject("/annotations").setAll((ObjectNode) annotations);
            }
            ArrayNode conditions = JsonNodeFactory.instance.arrayNode();
            for (JsonNode c : pod.path("status").path("conditions")) {
                if (!"PodScheduled".equals(c.path("type").asText())) {
                    conditions.add(c);
                }
            }
            conditions.addObject().put("type", "PodScheduled").put("status", "True").put("lastTransitionTime", now());
            pod.withObject("/status").set("conditions", conditions);
            return pod;
        });
        if (answer.code == 404) {
            return status(404, "NotFound", "pods \"" + name + "\" not found");
        }
        if (answer.code != 201) {
            return answer;
        }
        controls.bound(namespace + "/" + name);
        return status(201, "Success", "");
    }

    private Answer evict(String namespace, String name, byte[] body) {
        JsonNode eviction = parse(body);
        Target podTarget = new Target("v1", namespace, "pods", name, null);
        Answer answer = change(podTarget, "DELETED", 201, old -> {
            String uid = eviction.path("deleteOptions").path("preconditions").path("uid").asText("");
            if (!uid.isEmpty() && !uid.equals(old.node.path("metadata").path("uid").asText())) {
                return status(409, "Conflict", "Precondition failed: UID");
            }
            if (controls.budgetProtects(namespace + "/" + name)) {
                return status(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.");
            }
            ObjectNode gone = old.node.deepCopy();
            gone.withObject("/metadata").put("deletionTimestamp", now());
            return gone;
        });
        if (answer.code == 404) {
            return status(404, "NotFound", "pods \"" + name + "\" not found");
        }
        return answer.code == 201 ? status(201, "Success", "") : answer;
    }

    // ---------------------------------------------------------------- watch

    private void watch(HttpExchange exchange, Target t, Map<String, String> query) throws IOException {
        Filter filter = Filter.of(query);
        String from = query.getOrDefault("resourceVersion", "");
        long timeoutMillis = query.containsKey("timeoutSeconds")
                ? TimeUnit.SECONDS.toMillis(Long.parseLong(query.get("timeoutSeconds"))) : TimeUnit.MINUTES.toMillis(30);
        Watch w = new Watch(t.namespace, filter, new LinkedBlockingQueue<>());
        Resource r = resource(t);
        synchronized (r) {
            if (from.isEmpty() || "0".equals(from)) {
                for (Stored s : r.objects.values()) {
                    Change c = new Change(0, "ADDED", s.node.path("metadata").path("namespace").asText(null), s);
                    if (matches(w, c)) {
                        w.lines.add(c.line());
                    }
                }
            } else {
                long since = Long.parseLong(from);
                if (since < r.forgottenUpTo) {
                    w.lines.add("{\"type\":\"ERROR\",\"object\":" + status(410, "Expired",
                            "too old resource version: " + since + " (" + r.forgottenUpTo + ")").body + "}\n");
                    w.lines.add("");
                } else {
                    for (Change c : r.history) {
                        if (c.rv > since && matches(w, c)) {
                            w.lines.add(c.line());
                        }
                    }
                }
            }
            r.watches.add(w);
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        List<String> batch = new ArrayList<>();
        try (OutputStream out = exchange.getResponseBody()) {
            while (System.nanoTime() - deadline < 0) {
                String line = w.lines.poll(Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
                        TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                batch.add(line);
                w.lines.drainTo(batch, 1_000);
                boolean end = false;
                StringBuilder chunk = new StringBuilder();
                for (String l : batch) {
                    if (l.isEmpty()) {
                        end = true;
                        break;
                    }
                    chunk.append(l);
                }
                batch.clear();
                out.write(chunk.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (end) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away
        } finally {
            synchronized (r) {
                r.watches.remove(w);
            }
        }
    }

    // ---------------------------------------------------------------- answers

    /** Now in RFC 3339 to the second, as the API server writes timestamps. */
    private static String now() {
        return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    private static Answer notFound(Target t) {
        return status(404, "NotFound", t.plural + " \"" + t.name + "\" not found");
    }

    private static Answer conflict(Target t) {
        return status(409, "Conflict", "Operation cannot be fulfilled on " + t.plural + " \"" + t.name
                + "\": the object has been modified; please apply your changes to the latest version and try again");
    }

    private static Answer status(int code, String reason, String message) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("apiVersion", "v1").put("kind", "Status").put("status", code < 300 ? "Success" : "Failure")
                .put("message", message).put("code", code);
        if (code >= 300) {
            s.put("reason", reason);
        }
        return new Answer(code, write(s));
    }

    /** Stops at once, closing every watch. */
    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }

    // ---------------------------------------------------------------- selectors and patches

    /** Label and field selectors of a list or watch request. */
    static final class Filter {
        private final List<String[]> labels = new ArrayList<>();
        private final List<String[]> fields = new ArrayList<>();

        static Filter of(Map<String, String> query) {
            Filter f = new Filter();
            parse(query.get("labelSelector"), f.labels);
            parse(query.get("fieldSelector"), f.fields);
            return f;
        }

        /** Each term as {op, key, value}: op is "=", "!=", "exists" or "!exists". */
        private static void parse(String selector, List<String[]> into) {
            if (selector == null || selector.isBlank()) {
                return;
            }
            for (String term : selector.split(",")) {
                term = term.trim();
                int ne = term.indexOf("!=");
                int eq = term.indexOf('=');
                if (ne >= 0) {
                    into.add(new String[] {"!=", term.substring(0, ne).trim(), term.substring(ne + 2).trim()});
                } else if (eq >= 0) {
                    int skip = term.startsWith("==", eq) ? 2 : 1;
                    into.add(new String[] {"=", term.substring(0, eq).trim(), term.substring(eq + skip).trim()});
                } else if (term.startsWith("!")) {
                    into.add(new String[] {"!exists", term.substring(1).trim(), ""});
                } else {
                    into.add(new String[] {"exists", term, ""});
                }
            }
        }

        boolean test(JsonNode obj) {
            JsonNode labelMap = obj.path("metadata").path("labels");
            for (String[] t : labels) {
                JsonNode v = labelMap.get(t[1]);
                if (!holds(t[0], v == null ? null : v.asText(), t[2])) {
                    return false;
                }
            }
            for (String[] t : fields) {
                JsonNode v = obj;
                for (String part : t[1].split("\\.")) {
                    v = v.path(part);
                }
                if (!holds(t[0], v.isMissingNode() || v.isNull() ? "" : v.asText(), t[2])) {
                    return false;
                }
            }
            return true;
        }

        private static boolean holds(String op, String actual, String wanted) {
            return switch (op) {
                case "=" -> wanted.equals(actual);
                case "!=" -> !wanted.equals(actual);
                case "exists" -> actual != null;
                default -> actual == null;
            };
        }
    }

    /** RFC 6902 (add, remove, replace, test) and RFC 7386 on Jackson trees. */
    static final class JsonPatch {
        private JsonPatch() {
        }

        /** The patched document, or null when an operation fails. */
        static JsonNode apply(JsonNode doc, ArrayNode ops) {
            for (JsonNode op : ops) {
                String kind = op.path("op").asText();
                List<String> path = pointer(op.path("path").asText());
                if (path.isEmpty()) {
                    if ("add".equals(kind) || "replace".equals(kind)) {
                        doc = op.get("value");
                        continue;
                    }
                    return null;
                }
                JsonNode parent = doc;
                for (int i = 0; i < path.size() - 1; i++) {
                    parent = child(parent, path.get(i));
                    if (parent == null) {
                        return null;
                    }
                }
                String last = path.get(path.size() - 1);
                switch (kind) {
                    case "add" -> {
                        if (!add(parent, last, op.get("value"))) {
                            return null;
                        }
                    }
                    case "replace" -> {
                        if (child(parent, last) == null || !remove(parent, last) || !add(parent, last, op.get("value"))) {
                            return null;
                        }
                    }
                    case "remove" -> {
                        if (!remove(parent, last)) {
                            return null;
                        }
                    }
                    case "test" -> {
                        JsonNode actual = child(parent, last);
                        if (actual == null || !actual.equals(op.get("value"))) {
                            return null;
                        }
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return doc;
        }

        static JsonNode merge(JsonNode target, JsonNode patch) {
            if (!patch.isObject()) {
                return patch;
            }
            ObjectNode out = target != null && target.isObject() ? (ObjectNode) target : JsonNodeFactory.instance.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = patch.properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNull()) {
                    out.remove(e.getKey());
                } else {
                    out.set(e.getKey(), merge(out.get(e.getKey()), e.getValue()));
                }
            }
            return out;
        }

        private static List<String> pointer(String p) {
            List<String> out = new ArrayList<>();
            if (p.isEmpty()) {
                return out;
            }
            for (String s : p.substring(1).split("/", -1)) {
                out.add(s.replace("~1", "/").replace("~0", "~"));
            }
            return out;
        }

        private static JsonNode child(JsonNode parent, String key) {
            if (parent.isObject()) {
                return parent.get(key);
            }
            if (parent.isArray() && key.matches("\\d+")) {
                return parent.get(Integer.parseInt(key));
            }
            return null;
        }

        private static boolean add(JsonNode parent, String key, JsonNode value) {
            if (parent.isObject()) {
                ((ObjectNode) parent).set(key, value);
                return true;
            }
            if (parent.isArray()) {
                ArrayNode a = (ArrayNode) parent;
                if ("-".equals(key)) {
                    a.add(value);
                    return true;
                }
                int i = Integer.parseInt(key);
                if (i > a.size()) {
                    return false;
                }
                a.insert(i, value);
                return true;
            }
            return false;
        }

        private static boolean remove(JsonNode parent, String key) {
            if (parent.isObject()) {
                return ((ObjectNode) parent).remove(key) != null;
            }
            if (parent.isArray() && key.matches("\\d+")) {
                int i = Integer.parseInt(key);
                if (i >= parent.size()) {
                    return false;
                }
                ((ArrayNode) parent).remove(i);
                return true;
            }
            return false;
        }
    }
}
