package io.gantry.plugin.act;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs JSON written by hand through the client's HTTP stack (its authentication, TLS and limits) and hands
 * back the status and body as text. For the writes made once per pod (bindings, Events): building the model
 * object, serialising it and deserialising the answer cost more CPU than the scheduling decision.
 */
final class JsonPoster {
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;

    private final HttpClient http;
    private final String apiRoot;

    JsonPoster(KubernetesClient client) {
        this.http = client.getHttpClient();
        String master = client.getMasterUrl().toString();
        this.apiRoot = master.endsWith("/") ? master.substring(0, master.length() - 1) : master;
    }

    /** POSTs {@code json} to {@code path} (from {@code /api/...}) and waits for the answer. */
    HttpResponse<String> post(String path, String json) throws InterruptedException, ExecutionException, TimeoutException {
        HttpRequest request = http.newHttpRequestBuilder().uri(apiRoot + path)
                .post("application/json", json)
                .timeout(REQUEST_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .build();
        return http.sendAsync(request, String.class).get(REQUEST_TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
    }

    /** A path segment, percent-encoded. */
    static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Appends {@code s} as a JSON string literal (Jackson's escaping). */
    static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        return out.append('"');
    }

    /** Appends {@code ,"name":"value"}, or nothing when value is null. */
    static StringBuilder field(StringBuilder out, String name, String value) {
        if (value != null) {
            quote(out.append(','), name).append(':');
            quote(out, value);
        }
        return out;
    }
}
